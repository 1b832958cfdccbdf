"""The composition root: settings, the database, the core's runtime, the server and the CLI."""
