"""The GraphQL face's types, one module per domain (the core's names), and what they share:
`context`, `permissions`, `fields`, `errors`, `connection`, `plain`, `loaders`, `extensions`.

Nothing here imports `resolvers` except `schema.root`, which merges the domains' parts.
"""
