"""Use cases. Every write takes the session keyword-only, validates, and records audit events."""
