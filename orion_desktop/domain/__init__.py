"""Pure domain: rules, value objects and errors. No SQLAlchemy, no Qt."""
