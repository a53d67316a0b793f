"""The pages of the main window; each is a ``Page`` the navigation can switch to."""
