"""Background work: in-process loops (the embedded default) and, with Redis, arq workers."""
