"""`cc-node-trace` (FEDERATION.md §2): the route a request took, for people reading logs on several installations.

Each node adds `<name>>` to the request it sends on and `, <<name>` to the answer it gives, so a relay through
kirklees and ocn to leeds reads `kirklees>ocn>` at leeds, which answers `kirklees>ocn>, <leeds`. It is logged and
passed on, never trusted: it is cut to 1 KiB of printable ASCII (no line breaks to forge log lines with).
"""

import logging
import re

from flask import Blueprint, has_request_context, request

log = logging.getLogger(__name__)

HEADER = "cc-node-trace"
MAX_LENGTH = 1024
_NOT_PRINTABLE = re.compile(r"[^\x20-\x7e]")


def _clean(text: str) -> str:
    return _NOT_PRINTABLE.sub("", text)[-MAX_LENGTH:]


def received() -> str:
    """The trace the request being served came with, cleaned ("" outside a request)."""
    return _clean(request.headers.get(HEADER, "")) if has_request_context() else ""


def outgoing(our_name: str) -> str:
    """What a request we send carries: the trace we received, then us."""
    return _clean(f"{received()}{our_name}>")


def follow(bp: Blueprint) -> None:
    """Log each call's trace on `bp`'s routes and add this node to each answer's."""

    @bp.before_request
    def _log_trace():
        if HEADER in request.headers:
            log.info("%s %s: %s %s", request.method, request.path, HEADER, received())

    @bp.after_request
    def _answer_trace(response):
        node = _clean((request.view_args or {}).get("node", ""))[:32]
        response.headers[HEADER] = _clean(f"{received()}, <{node}" if received() else f"<{node}")
        return response
