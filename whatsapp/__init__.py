"""The orchestration core (the seed's `src/lib/whatsapp.ts`), by domain.

The seed's entry points, by their Python names; each is the core's own function (not a wrapper),
and its docstring names the GraphQL and CLI faces that call it:

- `send_whatsapp_message` — free-form content, now or scheduled (`messages.sending`);
- `send_interactive_message` — buttons, lists, call-to-action URLs, Flows (`messages.interactive`);
- `schedule_whatsapp_message` — store a message or template for later (`messages.scheduling`);
- `process_scheduled_messages` — send what is due, safely from any number of processes;
- `sync_whatsapp_templates` — pull the account's templates from Meta (`templates.sync`);
- `emit_whatsapp_event` — record an analytics event, which automations react to (`events.log`);
- `get_whatsapp_sessions` — a page of customer sessions (`conversations.session_queries`).

Everything else is imported from its domain package: `kit`, `cloud`, `messages`, `templates`,
`conversations`, `inbound`, `events`, `automations`, `access`.
"""

from whatsapp.conversations.session_queries import list_sessions as get_whatsapp_sessions
from whatsapp.events.log import emit_event as emit_whatsapp_event
from whatsapp.messages.interactive import send_interactive_message
from whatsapp.messages.scheduling import process_scheduled_messages, schedule_whatsapp_message
from whatsapp.messages.sending import send_message as send_whatsapp_message
from whatsapp.templates.sync import sync_templates as sync_whatsapp_templates

__all__ = [
    "emit_whatsapp_event",
    "get_whatsapp_sessions",
    "process_scheduled_messages",
    "schedule_whatsapp_message",
    "send_interactive_message",
    "send_whatsapp_message",
    "sync_whatsapp_templates",
]
