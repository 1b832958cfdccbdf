"""Automations: an event that matches a trigger and its conditions runs a list of actions.

Three parts, each safe to run in any number of processes:

- `definitions` — create / update / enable / delete / read, validated whole before anything is
  written; secrets masked when shown.
- `matching` — the event log's subscriber: in the event's own transaction, insert a run per
  automation the event triggers (per-contact cooldown, loop safety). The event log does not
  import it: the composition root (`app.runtime`) subscribes it, so recording an event stays
  a plain log.
- `runner` — claim due runs under a lease and execute their `actions` (one module each).
- `dry_run` — would an automation fire on a recorded event, and what would each action do:
  the matcher's rules and each action's `preview`, with nothing written or sent.

`channels` and `transports` are where the `notify` action's operator messages go (an incoming
webhook, SMTP), configured once per process from settings.
"""
