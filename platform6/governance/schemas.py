"""The JSON (and CSV) shape of polls, votes, ballots and proxies: one copy for the API, socket events and pages."""

from flask import Response

from ..accounts.models import User
from ..accounts.schemas import person_json
from ..timeutil import iso
from . import queries
from .models import Poll, Proxy, Vote


def outcome_json(poll: Poll) -> dict | None:
    if poll.outcome_statement is None:
        return None
    return {
        "statement": poll.outcome_statement,
        "statement_html": poll.outcome_statement_html,
        "option": poll.outcome_option,
        "review_on": poll.outcome_review_on.isoformat() if poll.outcome_review_on else None,
        "author": person_json(poll.outcome_author_id),
        "created_at": iso(poll.outcome_at),
    }


def action_json(poll: Poll) -> dict | None:
    if poll.action is None:
        return None
    return {**poll.action, "result": poll.action_result}


def poll_json(poll: Poll, eligible_count: int | None = None) -> dict:
    if eligible_count is None:
        eligible_count = queries.eligible_count(poll)
    return {
        "id": poll.id,
        "group_id": poll.group_id,
        "discussion_id": poll.discussion_id,
        "kind": poll.kind,
        "title": poll.title,
        "details": poll.details,
        "details_html": poll.details_html,
        "options": poll.options,
        "settings": poll.settings,
        "closing_at": iso(poll.closing_at),
        "closed_at": iso(poll.closed_at),
        "closed": poll.closed_at is not None,
        "anonymous": poll.anonymous,
        "hide_results": poll.hide_results,
        "quorum_percent": poll.quorum_percent,
        "voter_ids": poll.voter_ids,
        "voters_count": poll.voters_count,
        "eligible_count": eligible_count,
        "author": person_json(poll.author_id),
        "outcome": outcome_json(poll),
        "action": action_json(poll),
        "created_at": iso(poll.created_at),
    }


def polls_json(polls: list[Poll]) -> list[dict]:
    counts = queries.eligible_counts(polls)
    return [poll_json(poll, counts[poll.id]) for poll in polls]


def vote_json(vote: Vote, poll: Poll, user: User | None = None) -> dict:
    """A vote; `user` is null in an anonymous poll, whoever asks."""
    voter = None
    if not poll.anonymous:
        voter = user or vote.user
    return {
        "id": vote.id,
        "poll_id": vote.poll_id,
        "user": {"id": voter.id, "name": voter.name} if voter else None,
        "choices": vote.choices,
        "reason": vote.reason,
        "reason_html": vote.reason_html,
        "created_at": iso(vote.created_at),
    }


def ballot_json(vote: Vote) -> dict:
    """An anonymous poll's ballot as listed: no voter, and no id or time that could tell whose it is."""
    return {
        "id": None,
        "poll_id": vote.poll_id,
        "user": None,
        "choices": vote.choices,
        "reason": vote.reason,
        "reason_html": vote.reason_html,
        "created_at": None,
    }


def proxy_json(proxy: Proxy) -> dict:
    return {
        "poll_id": proxy.poll_id,
        "proxy": person_json(proxy.proxy_id),
        "created_at": iso(proxy.created_at),
    }


def csv_response(poll: Poll) -> Response:
    response = Response(queries.results_csv(poll, queries.results_of(poll)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="poll-{poll.id}-results.csv"'
    return response
