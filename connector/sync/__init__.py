"""Orchestration: one-click connection, sync passes (pull → score → push), the daily
rescore, training, and the per-portal schedule with leases across workers.

Entry points: `SyncService` (runs), `ConnectionService` (connect/disconnect),
`build_scheduler` (the long-running worker's schedule).
"""
