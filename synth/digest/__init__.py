"""Scheduled research digests: re-run a report question on a schedule and say what changed.

`store` keeps the state (SQLite, WAL); `run` does one run under its lock and
commits it at once; `drift` compares a run with the last; `records` holds what a
run reads and writes; `adapters` call ingest, the report pipeline, the verifier
and arXiv; `schedule` turns cron expressions into APScheduler triggers, crontab
and systemd lines and serves them; `render` writes the digest report.
"""
