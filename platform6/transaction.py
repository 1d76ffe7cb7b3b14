"""The transaction boundary: the one place that commits, rolls back and turns a clash into a Conflict.

As Indico's `RH.process`: each unit of work (a request, a socket event, a scheduled job's item, a CLI
command) runs in one transaction that commits once when the work ends without an exception; any
exception rolls everything back and goes on to the edge, which answers it. Services flush but never
commit, and edge handlers never commit or roll back (tests/test_architecture.py holds them to it).

- HTTP requests (pages and the API): `Platform6Flask` runs every request's before-request hooks and
  view in one `unit_of_work()`, a write one (`begin_write()`) unless the method is safe (GET, HEAD,
  OPTIONS) or the view is marked `@defer_write_lock`.
  A DomainError that leaves the view is answered by the app's error handler: the API's error body,
  or the error page. A page that answers a refusal itself (the reason on its form, or flashed)
  catches the DomainError and calls `platform6.web.show_error_on_form` or `refused`, which first
  `discard()` the half-done work; the boundary then commits nothing.
- Socket.IO handlers: `@socket_transaction`, which answers a DomainError with the ack
  `{"error": {"code", "message"}}`.
- Jobs and CLI commands: `with unit_of_work():` around each item that must stand or fall alone.

A unique key that a concurrent writer filled first (`IntegrityError`) becomes `Conflict` (409) here,
whichever edge it reached; a service may still map the races it expects to its own Conflict first.
Side effects wait for the commit (`platform6.outbox.after_commit`), so a rolled-back change emits
nothing.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from flask import Flask, request
from sqlalchemy.exc import IntegrityError

from .database import begin_write
from .errors import Conflict, DomainError
from .extensions import db

#: methods whose requests only read (a write they make anyway, such as read state, still commits)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CLASH_MESSAGE = "That clashes with a change made at the same moment. Reload and try again."


@contextmanager
def unit_of_work(*, write: bool = True) -> Iterator[None]:
    """Commit once if the block ends normally; roll back and re-raise if it raises.
    `write`: take the write lock first (see platform6.database.begin_write)."""
    try:
        if write:
            begin_write()
        yield
        db.session.commit()
    except IntegrityError as err:
        db.session.rollback()
        raise Conflict(CLASH_MESSAGE) from err
    except BaseException:
        db.session.rollback()
        raise


def discard() -> None:
    """Undo what the current unit of work wrote, for an edge that answers a DomainError itself."""
    db.session.rollback()


def defer_write_lock(view: Callable) -> Callable:
    """Mark a view whose request must not hold SQLite's write lock from its start: it writes a counted
    sign-in failure on a connection of its own, which would otherwise wait for the request's lock."""
    view.defers_write_lock = True
    return view


class Platform6Flask(Flask):
    """Flask whose every request runs in one unit of work: its before-request hooks and its view."""

    def _writes(self) -> bool:
        view = self.view_functions.get(request.endpoint or "")
        return request.method not in SAFE_METHODS and not getattr(view, "defers_write_lock", False)

    def preprocess_request(self):
        # The lock comes first, so what the hooks read (the API's token) is read inside the write
        # transaction, never from a snapshot another writer could make stale.
        if self._writes():
            begin_write()
        try:
            answered = super().preprocess_request()
        except BaseException:
            discard()
            raise
        if answered is not None:
            discard()
        return answered

    def dispatch_request(self):
        with unit_of_work(write=self._writes()):
            return super().dispatch_request()


def socket_transaction(handler: Callable) -> Callable:
    """A Socket.IO handler in one unit of work; a DomainError becomes the ack `{"error": {...}}`."""

    @wraps(handler)
    def run(*args, **kwargs):
        try:
            with unit_of_work():
                return handler(*args, **kwargs)
        except DomainError as err:
            return {"error": {"code": err.code, "message": err.message}}

    return run
