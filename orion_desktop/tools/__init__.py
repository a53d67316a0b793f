"""Developer tools that run the application (screenshots); not imported by the app itself."""
