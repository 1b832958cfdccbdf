"""Automations: definitions, matching events to triggers, running their actions."""
