"""Outgoing mail: the outbox, its sender thread and SMTP."""
