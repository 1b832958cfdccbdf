"""Background work: one table of jobs (`table`), run by arq workers with Redis (`worker`) or by
the server itself (`inprocess`, the embedded default)."""
