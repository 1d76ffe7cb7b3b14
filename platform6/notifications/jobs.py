"""The worker's email delivery: batch after batch while mail is due, pausing with back-off while the server is down."""

import time

from . import outbox
from .scheduler import job

#: a run stops starting batches after this long, so the worker's other jobs get their turn
RUN_SECONDS = 10.0
_pause = {"until": 0.0, "failures": 0}


@job(every_seconds=1)
def deliver_emails() -> None:
    if time.monotonic() < _pause["until"]:
        return
    stop = time.monotonic() + RUN_SECONDS
    while time.monotonic() < stop:
        result = outbox.send_batch()
        if result.server_down:
            _pause["failures"] += 1
            _pause["until"] = time.monotonic() + outbox.backoff_seconds(_pause["failures"])
            return
        _pause["failures"] = 0
        if result.sent + result.failed == 0:
            return
