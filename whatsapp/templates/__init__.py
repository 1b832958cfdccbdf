"""Message templates: the synced store, the sync from Meta, and parameter matching."""
