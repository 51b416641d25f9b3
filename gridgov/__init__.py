"""gridgov kernel: settings, database, schema and the command line shared by etl, layers and dashboard."""

__version__ = "0.1.0"
