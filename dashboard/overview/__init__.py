"""The community grid map (/)."""
