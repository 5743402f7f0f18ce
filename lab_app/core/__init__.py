"""The bottom layer: settings, the schema of every table, time and audit, locks."""
