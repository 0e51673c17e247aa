"""Running work items: the queue and its worker threads, worker processes, the Dask cluster,
rollouts, the watchdog, one host (executor) and one step (step), and judging outputs (audit).
"""
