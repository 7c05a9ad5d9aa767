"""Alembic migrations of the reservation store, run on start by `store.migrate`."""
