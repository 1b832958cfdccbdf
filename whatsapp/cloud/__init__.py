"""Meta's Cloud API: the HTTP client, Meta's error codes and what they mean to us, rate limits."""
