"""The business account and its phone numbers as Meta reports them (review, bans, quality,
display names, capabilities)."""
