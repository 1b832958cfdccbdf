"""Thin adapters: GraphQL input -> one `whatsapp.*` call -> GraphQL type. No SQL, no httpx."""
