"""Grafting's calls to other installations, each made with no database transaction open.

Each function reads what it needs in one unit of work, calls the peer with none open (an HTTP call inside a write
transaction would stall every payment on a SQLite installation), then records the answer in another. Pages, the API
and the pickup job call these after their own work has committed.
"""

import logging

from ..extensions import db
from ..notifications.scheduler import job
from ..transaction import unit_of_work
from . import client, grafting, signing, wire
from .models import Link
from .transactions import call_peer, peer_of

log = logging.getLogger(__name__)


# --- the leaf asking its trunk -------------------------------------------------------------------

#: what a "Check now" found, for the page to say
SENT, WAITING, ACTIVE, DECLINED, GONE = "sent", "waiting", "active", "declined", "gone"
UNREACHABLE, REFUSED = "unreachable", "refused"


def send_graft_request(link_id: int) -> str:
    """POST {trunk_url}p6/graft-requests; on 202 the trunk's request id is kept for the pickup."""
    with unit_of_work(write=False):
        link = db.session.get(Link, link_id)
        trunk, body = client.Peer.before_link(link_id, link.peer_url), grafting.graft_request_body(link)
    response = call_peer(trunk, "POST", "p6/graft-requests", wire.dumps(body))
    if response is None:
        return UNREACHABLE
    remote_id = response.json_object().get("id")
    if response.status != 202 or not isinstance(remote_id, int):
        log.info("graft request to %s refused: %s %s", trunk.url, response.status, response.errors)
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
        profile, remote_id = link.profile, link.remote_request_id
        if profile == "p6" and remote_id is not None:
            trunk, token = client.Peer.before_link(link_id, link.peer_url), grafting.pickup_token(link)
        elif profile != "p6":
            trunk = peer_of(link)
    if profile == "p6" and remote_id is None:
        return send_graft_request(link_id)
    if profile != "p6":
        response = call_peer(trunk, "GET", "" if profile == "komunitin" else "handshake")
        if response is None:
            return UNREACHABLE
        if response.status != 200:
            return REFUSED
        with unit_of_work():
            grafting.record_handshake(link_id=link_id)
        return ACTIVE
    response = call_peer(trunk, "POST", f"p6/graft-requests/{remote_id}/pickup", wire.dumps({"token": token}))
    if response is None:
        return UNREACHABLE
    if response.status in (202, 409):
        return WAITING
    if response.status in (403, 410):
        declined = response.status == 403
        with unit_of_work():
            grafting.record_trunk_refusal(link_id=link_id, request_status="declined" if declined else "picked_up")
        return DECLINED if declined else GONE
    if response.status != 200:
        log.warning("pickup from %s answered %s", trunk.url, response.status)
        return REFUSED
    with unit_of_work():
        grafting.record_pickup(link_id=link_id, credentials=response.json_object())
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
        peer = peer_of(db.session.get(Link, link_id))
    new_secret = signing.new_secret()
    response = call_peer(peer, "POST", "p6/rotate", wire.dumps({"secret": new_secret}))
    if response is None or response.status != 200:
        return False
    with unit_of_work():
        grafting.rotate_secret(link=db.session.get(Link, link_id), new_secret=new_secret)
    return True


@job(every_seconds=60)
def pick_up_credentials() -> None:
    """Each minute: a leaf waiting for its trunk sends its request again if it never arrived, picks up approved
    credentials, or handshakes (graft_sync.check_trunk)."""
    check_every_trunk()
