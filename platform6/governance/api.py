"""JSON routes for decisions (API.md "Decisions (polls)"), plus proxies, receipts and CSV (docs/api-governance.md)."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from flask import jsonify, request
from flask_babel import gettext as _
from pydantic import Field

from ..api import (
    Body,
    PositiveInt,
    SafeInt,
    api_blueprint,
    created,
    no_content,
    optional_user,
    page_of,
    paginate,
    parse_body,
    require_user,
)
from ..errors import invalid
from ..groups.permissions import ensure_content_visible
from ..groups.queries import visible_group
from . import kinds, queries, service
from .models import Vote
from .schemas import ballot_json, csv_response, poll_json, polls_json, proxy_json, vote_json

bp = api_blueprint("governance_api", __name__)

Title = Annotated[str, Field(max_length=200)]
Option = Annotated[str, Field(max_length=200)]


class NewPoll(Body):
    kind: Literal[kinds.KINDS]  # type: ignore[valid-type]
    title: Title
    details: Annotated[str, Field(max_length=20000)] = ""
    options: Annotated[list[Option], Field(max_length=100)] | None = None
    settings: dict[str, SafeInt | str] | None = None
    closing_at: datetime
    discussion_id: PositiveInt | None = None
    anonymous: bool = False
    hide_results: bool = False
    quorum_percent: Annotated[int, Field(ge=0, le=100)] = 0
    voter_ids: Annotated[list[PositiveInt], Field(max_length=5000)] | None = None
    #: checked in full by service.validate_action (422 on `action`)
    action: dict[str, Any] | None = None


class NewVote(Body):
    choices: Annotated[dict[Option, SafeInt], Field(max_length=100)]
    reason: Annotated[str, Field(max_length=10000)] | None = None


class NewProxy(Body):
    proxy_id: PositiveInt


class NewOutcome(Body):
    statement: Annotated[str, Field(max_length=10000)]
    option: Option | None = None
    review_on: date | None = None


@bp.post("/groups/<int:group_id>/polls")
def create_poll(group_id: int):
    user = require_user()
    group = visible_group(group_id, user)
    ensure_content_visible(user, group)
    data = parse_body(NewPoll)
    poll = service.create_poll(
        actor=user,
        group=group,
        kind=data.kind,
        title=data.title,
        details=data.details,
        options=data.options,
        settings=data.settings,
        closing_at=data.closing_at,
        discussion_id=data.discussion_id,
        anonymous=data.anonymous,
        hide_results=data.hide_results,
        quorum_percent=data.quorum_percent,
        voter_ids=data.voter_ids,
        action=data.action,
    )
    return created(poll_json(poll))


@bp.get("/groups/<int:group_id>/polls")
def list_polls(group_id: int):
    user = optional_user()
    group = visible_group(group_id, user)
    ensure_content_visible(user, group)
    state = request.args.get("state")
    if state not in (None, "open", "closed"):
        raise invalid("state", _("state is open or closed."))
    return jsonify(paginate(queries.group_polls_select(group, state), queries.LIST_ORDER, polls_json))


@bp.get("/polls/<int:poll_id>")
def show_poll(poll_id: int):
    return jsonify(poll_json(queries.visible_poll(optional_user(), poll_id)))


@bp.post("/polls/<int:poll_id>/votes")
def cast_vote(poll_id: int):
    user = require_user()
    poll = queries.visible_poll(user, poll_id)
    data = parse_body(NewVote)
    vote = service.cast_vote(actor=user, poll=poll, choices=data.choices, reason=data.reason)
    return created(vote_json(vote, poll, user))


@bp.get("/polls/<int:poll_id>/votes")
def list_votes(poll_id: int):
    user = optional_user()
    poll = queries.visible_poll(user, poll_id)
    queries.ensure_results_visible(poll, user)
    if poll.anonymous:
        return jsonify(page_of([ballot_json(vote) for vote in queries.anonymous_ballots(poll)]))
    order = [(Vote.created_at, False), (Vote.id, False)]
    return jsonify(paginate(queries.votes_select(poll), order, lambda rows: [vote_json(v, poll) for v in rows]))


@bp.get("/polls/<int:poll_id>/results")
def results(poll_id: int):
    user = optional_user()
    poll = queries.visible_poll(user, poll_id)
    queries.ensure_results_visible(poll, user)
    return jsonify(queries.results_of(poll))


@bp.get("/polls/<int:poll_id>/results.csv")
def results_csv(poll_id: int):
    user = optional_user()
    poll = queries.visible_poll(user, poll_id)
    queries.ensure_results_visible(poll, user)
    return csv_response(poll)


@bp.get("/polls/<int:poll_id>/my-vote")
def my_vote(poll_id: int):
    """The caller's receipt: their own vote (never anyone else's), their proxy, and whether they count."""
    user = require_user()
    poll = queries.visible_poll(user, poll_id)
    vote = queries.my_vote(user, poll)
    proxy = queries.my_proxy(user, poll)
    counted = queries.counted(user, poll)
    return jsonify(
        {
            "vote": vote_json(vote, poll, user) if vote else None,
            "proxy": proxy_json(proxy) if proxy else None,
            "counted": counted,
            "eligible": queries.is_eligible(user, poll),
        }
    )


@bp.put("/polls/<int:poll_id>/proxy")
def set_proxy(poll_id: int):
    user = require_user()
    poll = queries.visible_poll(user, poll_id)
    data = parse_body(NewProxy)
    proxy = service.set_proxy(actor=user, poll=poll, proxy_id=data.proxy_id)
    return jsonify(proxy_json(proxy))


@bp.delete("/polls/<int:poll_id>/proxy")
def revoke_proxy(poll_id: int):
    user = require_user()
    poll = queries.visible_poll(user, poll_id)
    service.revoke_proxy(actor=user, poll=poll)
    return no_content()


@bp.post("/polls/<int:poll_id>/close")
def close_poll(poll_id: int):
    user = require_user()
    poll = queries.visible_poll(user, poll_id)
    service.close_poll(poll=poll, actor=user)
    return jsonify(poll_json(poll))


@bp.post("/polls/<int:poll_id>/cancel")
def cancel_poll(poll_id: int):
    user = require_user()
    poll = queries.visible_poll(user, poll_id)
    service.cancel_poll(poll=poll, actor=user)
    return jsonify(poll_json(poll))


@bp.post("/polls/<int:poll_id>/outcome")
def set_outcome(poll_id: int):
    user = require_user()
    poll = queries.visible_poll(user, poll_id)
    data = parse_body(NewOutcome)
    service.set_outcome(actor=user, poll=poll, statement=data.statement, option=data.option, review_on=data.review_on)
    return jsonify(poll_json(poll))
