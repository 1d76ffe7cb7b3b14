"""Scheduled work: features register jobs here; a thread (`python app.py`) or `flask worker` runs them.

Each job must claim what it does with a conditional UPDATE, so several workers never do it twice.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from ..transaction import unit_of_work

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    every_seconds: float
    run: Callable[[], None]
    next_run: float = 0.0


JOBS: dict[str, Job] = {}


def job(*, every_seconds: float):
    """Register a function as a job run every `every_seconds`, in one unit of work (a job that must
    commit item by item opens a `unit_of_work()` for each)."""

    def register(fn: Callable[[], None]) -> Callable[[], None]:
        JOBS[fn.__qualname__] = Job(fn.__qualname__, every_seconds, fn)
        return fn

    return register


def run_due_jobs(app: Flask, now: float | None = None) -> list[str]:
    """Run each job whose time has come, each in its own app context and transaction."""
    now = time.monotonic() if now is None else now
    ran = []
    for item in JOBS.values():
        if item.next_run > now:
            continue
        item.next_run = now + item.every_seconds
        with app.app_context():
            try:
                with unit_of_work(write=False):
                    item.run()
            except Exception:
                log.exception("scheduled job %s failed", item.name)
            else:
                ran.append(item.name)
    return ran


def run_forever(app: Flask, tick_seconds: float = 1.0, stop: threading.Event | None = None) -> None:
    stop = stop or threading.Event()
    while not stop.is_set():
        run_due_jobs(app)
        stop.wait(tick_seconds)


def start_background_scheduler(app: Flask) -> threading.Thread:
    thread = threading.Thread(target=run_forever, args=(app,), name="platform6-scheduler", daemon=True)
    thread.start()
    return thread
