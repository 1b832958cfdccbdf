"""Live updates: events pushed to subscribers after their transaction commits.

`publisher` hears the event log and hands committed event ids to the process's sinks;
`brokers` carry ids between processes (Redis pub/sub) or within one (in-process); `hub`
re-reads the committed rows once per process and fans them out to bounded subscriptions,
whose conditions `filters` builds.
"""
