"""Alembic environment: migrate the connection :func:`ssereport.qa.history.open_history` passes in."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
