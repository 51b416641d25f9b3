"""The planner's page (/export): the picks, the preview and the downloads."""
