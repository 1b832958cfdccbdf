"""The REST shim Meta talks to: webhook verification and delivery, and (later) Flows."""
