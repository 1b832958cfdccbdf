"""Outbound messages: sending, delivery outcomes, scheduling, statuses, media, payload builders."""
