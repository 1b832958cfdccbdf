"""Analytics reads aggregated in SQL (series, funnels, message/flow/automation stats)."""
