"""Alembic migrations of the batch history database (:mod:`ssereport.qa.history`).

Run by :func:`ssereport.qa.history.open_history` on the connection it holds,
inside the transaction that also takes the database's write lock, so two
processes opening a new database at once migrate it once. ``env.py`` reads that
connection from ``config.attributes["connection"]`` (Alembic's cookbook recipe
"Sharing a Connection across one or more programmatic migration commands").
"""
