"""Orion Desktop: a warehouse desktop application on SQLite or PostgreSQL."""

__version__ = "0.1.0"
APP_NAME = "Orion Desktop"
