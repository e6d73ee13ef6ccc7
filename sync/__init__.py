"""Sync with the provincial one-stop backend (issue 5)."""
