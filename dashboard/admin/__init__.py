"""The administrator's page (/admin)."""
