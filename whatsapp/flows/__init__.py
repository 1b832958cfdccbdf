"""WhatsApp Flows: the encrypted data-exchange endpoint, journey state and completion."""
