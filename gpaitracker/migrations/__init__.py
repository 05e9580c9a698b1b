"""Alembic migrations of the register schema (explicit operations, never today's models)."""
