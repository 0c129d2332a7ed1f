"""Scheduled research digests: re-run a report question on a schedule and say what changed.

`store` keeps the state (SQLite, WAL), `run` does one run and the drift
computation, `schedule` turns cron expressions into APScheduler triggers,
crontab and systemd lines and serves them, `render` writes the digest report.
"""
