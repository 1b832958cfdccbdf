"""How an operator watches wagraph: logs (`logs`), traces (`traces`), the server's `/metrics`
and request ids (`http`, the only module here that knows Starlette) and a worker's metrics
port (`worker_metrics`). The metric objects and the ids' contextvars are the core's
(`whatsapp.kit.metrics`, `whatsapp.kit.log_context`, `whatsapp.kit.tracing`)."""
