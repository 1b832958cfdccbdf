"""The event log (the seed's WhatsAppAnalyticsEvent): recording events and reading them."""
