"""Transactions, SQLite set-up, prepared statements and backups."""
