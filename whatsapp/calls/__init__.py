"""Calls (Cloud API Calling): call records from Meta's `calls` webhooks and permission replies."""
