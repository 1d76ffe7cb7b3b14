"""Fault injection for the federation's tests (FEDERATION.md §6): read only when FEDERATION_TEST_FAULTS is set.

FEDERATION_TEST_FAULTS="relay.after_downstream_ok=crash;patch.before_answer=sleep:3" makes this process die
(os._exit, as kill -9 would) or pause at those points. The points: relay.after_local_commit,
relay.after_downstream_ok, patch.on_arrival (a PATCH has arrived and nothing is read or written yet: the node is
dead when the state change reaches it, between the phases), patch.after_completing (also the originator's, before
it sends C), patch.after_downstream_ack, patch.before_answer.
"""

import os
import time

POINTS = frozenset(
    {
        "relay.after_local_commit",
        "relay.after_downstream_ok",
        "patch.on_arrival",
        "patch.after_completing",
        "patch.after_downstream_ack",
        "patch.before_answer",
    }
)


def fault(point: str) -> None:
    """Crash or sleep here if the environment asks for it (never in production: the variable is unset)."""
    action = configured().get(point)
    if action == "crash":
        os._exit(17)
    if action:
        time.sleep(float(action.removeprefix("sleep:")))


def configured() -> dict[str, str]:
    """FEDERATION_TEST_FAULTS as {point: action}. ValueError for an unknown point or action, so a typo in a test fails
    the first request (and the app's start) instead of silently injecting nothing."""
    raw = os.environ.get("FEDERATION_TEST_FAULTS")
    if not raw:
        return {}
    actions = dict(part.strip().partition("=")[::2] for part in raw.split(";") if part.strip())
    for point, action in actions.items():
        if point not in POINTS:
            raise ValueError(f"FEDERATION_TEST_FAULTS: no fault point {point!r}; the points are {sorted(POINTS)}")
        if action != "crash" and not _is_sleep(action):
            raise ValueError(f"FEDERATION_TEST_FAULTS: {point}={action!r} is neither crash nor sleep:<seconds>")
    return actions


def _is_sleep(action: str) -> bool:
    try:
        return action.startswith("sleep:") and float(action.removeprefix("sleep:")) >= 0
    except ValueError:
        return False
