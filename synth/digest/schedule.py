"""Schedules: cron expressions as APScheduler triggers, `--due` checks, crontab/systemd lines, and `serve`.

Cron numbers weekdays 0-7 from Sunday (0 and 7 both Sunday); APScheduler 3.x
numbers them 0-6 from Monday (its issue #286). Weekday fields are therefore
rewritten to day names before they reach APScheduler, so `0 7 * * 1` fires on
Mondays in `synth digest serve` exactly as in the crontab line printed for it.
"""

from __future__ import annotations

import datetime as dt
import logging
import shlex
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synth.errors import UserError

EXAMPLE = "'0 7 * * 1' (Mondays at 07:00)"
DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
log = logging.getLogger("synth.digest")


# --- cron expressions -------------------------------------------------------------------------------------------------


def _weekdays(field: str) -> set[int]:
    """The days (0 = Sunday) a cron day-of-week field selects; ValueError when it is not one."""
    days: set[int] = set()
    for part in field.lower().split(","):
        body, slash, step_text = part.partition("/")
        step = int(step_text) if slash else 1
        if slash and (not step_text.isdigit() or step < 1):
            raise ValueError(f"bad step in day-of-week {part!r}")
        if body == "*":
            low, high = 0, 6
        else:
            low_text, dash, high_text = body.partition("-")
            low = _day(low_text)
            high = _day(high_text) if dash else (6 if slash else low)
        if high < low:
            raise ValueError(f"day-of-week range {body!r} runs backwards")
        days.update(d % 7 for d in range(low, high + 1, step))
    return days


def _day(text: str) -> int:
    text = text.strip().lower()
    if text.isdigit() and 0 <= int(text) <= 7:
        return int(text)
    if text[:3] in DAY_NAMES and len(text) == 3:
        return DAY_NAMES.index(text)
    raise ValueError(f"day of week {text!r} is not 0-7 or sun..sat")


def _aps_weekdays(field: str) -> str:
    if field == "*":
        return "*"
    days = _weekdays(field)
    return "*" if len(days) == 7 else ",".join(DAY_NAMES[d] for d in sorted(days))


def cron_trigger(expr: str, timezone: Any = None):  # noqa: ANN201
    """An APScheduler CronTrigger with cron's weekday numbering; ValueError on a bad expression."""
    from apscheduler.triggers.cron import CronTrigger

    fields = expr.split()
    if len(fields) == 5:
        fields[4] = _aps_weekdays(fields[4])
    return CronTrigger.from_crontab(" ".join(fields) if len(fields) == 5 else expr, timezone=timezone)


def validate_cron(expr: str) -> str:
    """The expression, normalised to single spaces; UserError naming it and an example when it is not valid."""
    try:
        cron_trigger(expr)
    except ValueError as exc:
        raise UserError(
            f"invalid cron expression {expr!r} ({exc}): use five fields 'minute hour day-of-month month "
            f"day-of-week', e.g. {EXAMPLE}"
        ) from exc
    return " ".join(expr.split())


def next_fire(expr: str, after: dt.datetime) -> dt.datetime | None:
    """The first fire time strictly after `after`."""
    return cron_trigger(expr).get_next_fire_time(None, after + dt.timedelta(microseconds=1))


def is_due(expr: str, last: dt.datetime | None, now: dt.datetime) -> bool:
    """Due when never run, or when the schedule fired after the last run (or no-change check)."""
    if last is None:
        return True
    fire = next_fire(expr, last)
    return fire is not None and fire <= now


def both_day_fields(expr: str) -> bool:
    """Cron runs when EITHER day field matches if both are set; APScheduler and systemd need both to match."""
    fields = expr.split()
    return len(fields) == 5 and fields[2] != "*" and fields[4] != "*"


# --- crontab and systemd ----------------------------------------------------------------------------------------------


def synth_command(home: Path, config: Path | None = None, offline: bool | None = None) -> list[str]:
    """How cron or systemd should start this same synth: absolute paths, the data dir spelled out."""
    script = Path(sys.executable).parent / "synth"
    base = [str(script)] if script.is_file() else [sys.executable, "-m", "synth"]
    base += ["--home", str(Path(home).resolve())]
    if config is not None:
        base += ["--config", str(Path(config).resolve())]
    if offline is not None:
        base.append("--offline" if offline else "--online")
    return base


def crontab_line(name: str, expr: str, base: list[str], cwd: Path) -> str:
    command = shlex.join([*base, "digest", "run", name, "--quiet"])
    return f"{expr} cd {shlex.quote(str(cwd))} && {command}"


def _calendar_field(field: str, first: int, names: tuple[str, ...] = ()) -> str | None:
    """A cron minute/hour/day/month field as systemd OnCalendar syntax, or None when there is none."""
    out = []
    for part in field.lower().split(","):
        for i, name in enumerate(names):
            part = part.replace(name, str(i + 1))
        body, slash, step = part.partition("/")
        if body == "*":
            out.append(f"{first}/{step}" if slash else "*")
        elif "-" in body:
            if slash:
                return None  # systemd has no range with a repetition
            low, high = body.split("-", 1)
            out.append(f"{int(low):02d}..{int(high):02d}")
        elif body.isdigit():
            out.append(f"{int(body):02d}/{step}" if slash else f"{int(body):02d}")
        else:
            return None
    return ",".join(out)


def on_calendar(expr: str) -> str | None:
    """The systemd OnCalendar= equivalent of a cron expression, or None where there is no exact one."""
    fields = expr.split()
    if len(fields) != 5 or both_day_fields(expr):
        return None
    minute, hour, day, month, weekday = fields
    parts = [
        _calendar_field(minute, 0), _calendar_field(hour, 0), _calendar_field(day, 1),
        _calendar_field(month, 1, MONTH_NAMES),
    ]  # fmt: skip
    if any(p is None for p in parts):
        return None
    m, h, d, mon = parts
    try:
        days = _weekdays(weekday)
    except ValueError:
        return None
    prefix = "" if len(days) == 7 else ",".join(DAY_NAMES[x].capitalize() for x in sorted(days, key=_monday_first))
    return f"{prefix + ' ' if prefix else ''}*-{mon}-{d} {h}:{m}:00"


def _monday_first(day: int) -> int:
    return (day - 1) % 7


def systemd_units(name: str, expr: str, base: list[str], cwd: Path) -> str:
    """A user service + timer pair for `systemctl --user`, or a note when the schedule has no OnCalendar form."""
    calendar = on_calendar(expr)
    unit = f"synth-digest-{name}"
    if calendar is None:
        return (
            f"# systemd: {expr!r} has no exact OnCalendar= equivalent (cron ORs the two day fields; ranges with a "
            "step do not translate); use the crontab line or `synth digest serve`"
        )
    command = shlex.join([*base, "digest", "run", name, "--quiet"])
    return f"""# ~/.config/systemd/user/{unit}.service
[Unit]
Description=synth digest {name}

[Service]
Type=oneshot
WorkingDirectory={cwd}
ExecStart={command}

# ~/.config/systemd/user/{unit}.timer
[Unit]
Description=synth digest {name} on schedule {expr}

[Timer]
OnCalendar={calendar}
Persistent=true

[Install]
WantedBy=timers.target

# enable: systemctl --user daemon-reload && systemctl --user enable --now {unit}.timer"""


# --- serve ------------------------------------------------------------------------------------------------------------


def serve(
    settings: Any,
    *,
    runner: Any = None,
    scanner: Any = None,
    reload_seconds: float | None = None,
    catch_up: bool = True,
    workers: int | None = None,
    out: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> int:
    """Run every digest on its schedule until SIGTERM/SIGINT (or `stop` is set); returns the runs done.

    One job per digest (coalesce, one instance at a time, `digest.misfire_grace_s`
    of misfire grace), `workers` runs at once; the digest list is re-read every
    `reload_seconds` and on SIGHUP (both default to the `digest` settings). With
    `catch_up`, digests already due (never run, or a fire time missed while
    nothing was serving) run at start.
    Shutdown waits for the runs in progress; a run killed anyway leaves its
    state as before (see synth.digest.run).
    """
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.schedulers.background import BackgroundScheduler

    from synth.digest.run import run_digest
    from synth.digest.store import Store, digests_root, utcnow

    root = digests_root(settings)
    policy = settings.digest
    workers = policy.workers if workers is None else workers
    reload_seconds = policy.reload_seconds if reload_seconds is None else reload_seconds
    stop = stop or threading.Event()
    wake = threading.Event()
    done = {"runs": 0, "signal": ""}
    lock = threading.Lock()

    def job(name: str) -> None:
        store = Store(root)
        try:
            spec = store.get(name)
            if spec is None:
                return
            outcome = run_digest(spec, settings, store, runner=runner, scanner=scanner)
            with lock:
                done["runs"] += 1
            out(f"{name}: {outcome.message}")
        except UserError as exc:
            out(f"{name}: {exc}")
        except Exception:  # one failing digest must not stop the others
            log.exception("digest %s failed; its state is as before the run", name)
        finally:
            store.close()

    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max(1, workers))},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": policy.misfire_grace_s},
    )
    scheduled: dict[str, str] = {}
    store = Store(root)

    def sync(first: bool = False) -> None:
        specs = {s.name: s for s in store.digests()}
        for name in list(scheduled):
            if name not in specs:
                scheduler.remove_job(name)
                del scheduled[name]
        for name, spec in specs.items():
            if scheduled.get(name) == spec.cron:
                continue
            try:
                trigger = cron_trigger(spec.cron)
            except ValueError as exc:
                out(f"{name}: skipped, invalid cron expression {spec.cron!r} ({exc})")
                continue
            extra: dict[str, Any] = {}
            if first and catch_up and is_due(spec.cron, store.checked(name), utcnow()):
                extra["next_run_time"] = dt.datetime.now(dt.UTC)
            scheduler.add_job(job, trigger, args=[name], id=name, name=f"digest {name}", replace_existing=True, **extra)
            scheduled[name] = spec.cron

    def on_stop(signum: int, frame: object) -> None:
        done["signal"] = signal.Signals(signum).name
        stop.set()
        wake.set()

    def on_hup(signum: int, frame: object) -> None:
        wake.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, on_stop)
        signal.signal(signal.SIGINT, on_stop)
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, on_hup)
    try:
        scheduler.start()
        sync(first=True)
        jobs = sorted((j for j in scheduler.get_jobs() if j.next_run_time), key=lambda j: j.next_run_time)
        upcoming = f"; next: {jobs[0].id} at {jobs[0].next_run_time:%Y-%m-%d %H:%M %Z}" if jobs else ""
        out(f"serving {len(scheduled)} digest(s) from {root}{upcoming}; SIGTERM or Ctrl-C stops")
        reloaded = time.monotonic()
        while not stop.is_set():
            woke = wake.wait(0.2)
            if stop.is_set():
                break
            if woke or time.monotonic() - reloaded >= reload_seconds:
                wake.clear()
                reloaded = time.monotonic()
                sync()
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
        store.close()
    why = f" on {done['signal']}" if done["signal"] else ""
    out(f"stopped{why}: scheduler shut down after {done['runs']} run(s)")
    return done["runs"]
