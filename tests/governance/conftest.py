"""Fixtures for decisions: a group with members, and a helper that raises a poll through the API."""

from datetime import timedelta

import pytest

from platform6.timeutil import iso, utcnow


@pytest.fixture
def people(create_user):
    return {name: create_user(name=name.title()) for name in ("ann", "bob", "cat", "dan", "eve")}


@pytest.fixture
def group(create_group, people):
    """A closed group: Ann is its admin; Bob, Cat and Dan are members; Eve is an outsider."""
    return create_group(admin=people["ann"], members=[people["bob"], people["cat"], people["dan"]])


def in_days(days: float) -> str:
    return iso(utcnow() + timedelta(days=days))


@pytest.fixture
def raise_poll(api):
    def make(group, user, expect: int = 201, **body):
        body.setdefault("kind", "proposal")
        body.setdefault("title", "Buy a cargo bike")
        body.setdefault("closing_at", in_days(3))
        response = api.post(f"/groups/{group.id}/polls", body, user=user)
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    return make


@pytest.fixture
def vote(api):
    def cast(poll, user, choices, expect: int = 201, **extra):
        response = api.post(f"/polls/{poll['id']}/votes", {"choices": choices, **extra}, user=user)
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    return cast
