"""What Meta posts to us: the durable webhook inbox, dispatch of its items, customer messages."""
