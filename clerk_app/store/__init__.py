"""Local storage: SQLAlchemy models, sessions and Alembic migrations."""
