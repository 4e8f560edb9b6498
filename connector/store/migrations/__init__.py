"""Alembic migration scripts of the store (run by `connector.store.migrate`)."""
