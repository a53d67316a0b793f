"""GUI tests: a package so its conftest and helpers have names of their own (gui.conftest, gui.window_support)."""
