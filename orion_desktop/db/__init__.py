"""SQLAlchemy models, engine setup and migrations. Only services and the composition root use this."""
