"""Running work items: the queue and its worker threads, worker processes, the Dask cluster,
rollouts, the watchdog, one host (executor) and one step (step), and judging outputs (audit);
the kept pre-change configs and the replace step of `netjob rollback` (rollback).
"""
