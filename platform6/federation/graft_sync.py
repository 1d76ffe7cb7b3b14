"""Grafting's calls to other installations, each made with no database transaction open.

Each function reads what it needs in one unit of work, calls the peer with none open (an HTTP call inside a write
transaction would stall every payment on a SQLite installation), then records the answer in another. Pages, the API
and the pickup job call these after their own work has committed.
"""

import json
import logging
from urllib.parse import urlsplit

import requests
from flask import current_app

from ..credit.models import Network
from ..extensions import db
from ..notifications.scheduler import job
from ..transaction import unit_of_work
from . import grafting, links, signing, wire
from .models import Link

log = logging.getLogger(__name__)

#: seconds to wait for a peer's answer
TIMEOUT = 10
_session = requests.Session()


def http() -> requests.Session:
    """The session peers are called with (tests put one that reaches another app in-process in
    app.extensions["federation_http"])."""
    return current_app.extensions.get("federation_http") or _session


def _call(method: str, url: str, *, body: dict | None = None, headers: dict | None = None, secret: str | None = None):
    """One call to a peer, with no transaction open: the answer, or None when the peer could not be reached."""
    data = json.dumps(body).encode() if body is not None else b""
    headers = {"Content-Type": "application/json", **(headers or {})}
    if secret is not None:
        headers["p6-signature"] = signing.sign(secret, method=method, path=urlsplit(url).path, body=data)
    try:
        return http().request(method, url, data=data or None, headers=headers, timeout=TIMEOUT)
    except requests.RequestException as err:
        log.info("%s %s: %s", method, url, err)
        return None


def _json(response) -> dict:
    try:
        found = response.json()
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


# --- the leaf asking its trunk -------------------------------------------------------------------

#: what a "Check now" found, for the page to say
SENT, WAITING, ACTIVE, DECLINED, GONE = "sent", "waiting", "active", "declined", "gone"
UNREACHABLE, REFUSED = "unreachable", "refused"


def send_graft_request(link_id: int) -> str:
    """POST {trunk_url}p6/graft-requests; on 202 the trunk's request id is kept for the pickup."""
    with unit_of_work(write=False):
        link = db.session.get(Link, link_id)
        url, body = f"{link.peer_url}p6/graft-requests", grafting.graft_request_body(link)
    response = _call("POST", url, body=body)
    if response is None:
        return UNREACHABLE
    remote_id = _json(response).get("id")
    if response.status_code != 202 or not isinstance(remote_id, int):
        log.info("graft request to %s refused: %s %s", url, response.status_code, response.text[:500])
        return REFUSED
    with unit_of_work():
        grafting.record_request_sent(link_id=link_id, remote_request_id=remote_id)
    return SENT


def check_trunk(link_id: int) -> str:
    """Ask the trunk of a `requested` link how things stand: send the request if it never arrived, pick the
    credentials up once approved (P6), or handshake with the typed starting hash (reference, Komunitin)."""
    with unit_of_work(write=False):
        link = db.session.get(Link, link_id)
        if link is None or link.direction != "trunkward" or link.status != "requested":
            return ACTIVE if link is not None and link.status == "active" else REFUSED
        profile, peer_url, remote_id = link.profile, link.peer_url, link.remote_request_id
        if profile == "p6" and remote_id is not None:
            token = grafting.pickup_token(link)
        elif profile != "p6":
            network = db.session.get(Network, link.network_id)
            headers = wire.auth_headers(
                profile=profile, our_name=network.cc_name, our_path=links.our_path(network), head=link.head
            )
    if profile == "p6" and remote_id is None:
        return send_graft_request(link_id)
    if profile != "p6":
        response = _call("GET", peer_url if profile == "komunitin" else f"{peer_url}handshake", headers=headers)
        if response is None:
            return UNREACHABLE
        if response.status_code != 200:
            return REFUSED
        with unit_of_work():
            grafting.record_handshake(link_id=link_id)
        return ACTIVE
    response = _call("POST", f"{peer_url}p6/graft-requests/{remote_id}/pickup", body={"token": token})
    if response is None:
        return UNREACHABLE
    if response.status_code in (202, 409):
        return WAITING
    if response.status_code in (403, 410):
        declined = response.status_code == 403
        with unit_of_work():
            grafting.record_trunk_refusal(link_id=link_id, request_status="declined" if declined else "picked_up")
        return DECLINED if declined else GONE
    if response.status_code != 200:
        log.warning("pickup from %s answered %s", peer_url, response.status_code)
        return REFUSED
    with unit_of_work():
        grafting.record_pickup(link_id=link_id, credentials=_json(response))
    return ACTIVE


def check_every_trunk() -> None:
    """The pickup job's round: each link waiting for its trunk, on its own."""
    with unit_of_work(write=False):
        waiting = grafting.links_awaiting_trunk()
    for link_id in waiting:
        try:
            check_trunk(link_id)
        except Exception:
            log.exception("checking the trunk of link %s failed; the next run tries again", link_id)


# --- a new secret --------------------------------------------------------------------------------


def rotate_secret(link_id: int) -> bool:
    """Send the peer a new secret, signed with the current one (POST p6/rotate); once it answers 200 we sign with
    the new one. Either side still accepts the old secret for 24 hours. False when the peer did not take it."""
    with unit_of_work(write=False):
        link = db.session.get(Link, link_id)
        network = db.session.get(Network, link.network_id)
        url, secret = f"{link.peer_url}p6/rotate", grafting.current_secret(link)
        headers = wire.auth_headers(
            profile=link.profile, our_name=network.cc_name, our_path=links.our_path(network), head=link.head
        )
    new_secret = signing.new_secret()
    response = _call("POST", url, body={"secret": new_secret}, headers=headers, secret=secret)
    if response is None or response.status_code != 200:
        return False
    with unit_of_work():
        grafting.rotate_secret(link=db.session.get(Link, link_id), new_secret=new_secret)
    return True


@job(every_seconds=60)
def pick_up_credentials() -> None:
    """Each minute: a leaf waiting for its trunk sends its request again if it never arrived, picks up approved
    credentials, or handshakes (graft_sync.check_trunk)."""
    check_every_trunk()
