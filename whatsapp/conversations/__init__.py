"""Customers and their conversations: contacts, sessions, the 24-hour window, tags, timelines."""
