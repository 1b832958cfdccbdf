"""Thin adapters: GraphQL input -> one `whatsapp.*` call -> GraphQL type. No SQL, no httpx.

One module per domain (the core's names); each ends with its `…Query`/`…Mutation` part, built
with `schema.fields.query`/`mutation`, which `schema.root` merges into the roots.
"""
