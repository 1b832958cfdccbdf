"""API keys: who may call the GraphQL API, and with which scope."""
