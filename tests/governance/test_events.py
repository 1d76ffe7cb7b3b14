"""Live results over Socket.IO: join {"poll_id"}, then `vote_cast` and `poll_closed` (API.md "Live updates")."""

import pytest

from platform6.extensions import socketio


@pytest.fixture
def live(app, api):
    clients = []

    def connect(user):
        client = socketio.test_client(app, auth={"token": api.token(user)})
        assert client.is_connected()
        clients.append(client)
        return client

    yield connect
    for client in clients:
        if client.is_connected():
            client.disconnect()


def events(client, name):
    return [event["args"][0] for event in client.get_received() if event["name"] == name]


def test_members_join_a_polls_room_and_outsiders_get_not_found(live, raise_poll, group, people):
    poll = raise_poll(group, people["ann"])
    assert live(people["cat"]).emit("join", {"poll_id": poll["id"]}, callback=True) == {"ok": True}
    refused = live(people["eve"]).emit("join", {"poll_id": poll["id"]}, callback=True)
    assert refused == {"error": {"code": "not_found"}}
    assert live(people["cat"]).emit("join", {"poll_id": 999999}, callback=True) == {"error": {"code": "not_found"}}


def test_a_vote_pushes_vote_cast_with_the_results(live, raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"], kind="count")
    watcher = live(people["cat"])
    watcher.emit("join", {"poll_id": poll["id"]}, callback=True)
    vote(poll, people["bob"], {"yes": 1})
    (payload,) = events(watcher, "vote_cast")
    assert payload["poll_id"] == poll["id"] and payload["voters_count"] == 1
    assert payload["results"]["options"][0] == {"name": "yes", "value": 1, "voters": 1}
    assert payload["results"]["eligible_count"] == 4


def test_hidden_results_send_null_and_anonymous_polls_name_nobody(live, raise_poll, vote, group, people):
    hidden = raise_poll(group, people["ann"], hide_results=True, anonymous=True)
    watcher = live(people["ann"])
    watcher.emit("join", {"poll_id": hidden["id"]}, callback=True)
    vote(hidden, people["bob"], {"agree": 1}, reason="Bob's secret reason")
    (payload,) = events(watcher, "vote_cast")
    assert payload == {"poll_id": hidden["id"], "voters_count": 1, "results": None}
    anonymous = raise_poll(group, people["ann"], anonymous=True)
    watcher.emit("join", {"poll_id": anonymous["id"]}, callback=True)
    vote(anonymous, people["bob"], {"agree": 1}, reason="Bob's secret reason")
    (payload,) = events(watcher, "vote_cast")
    text = str(payload)
    assert "Bob" not in text and "secret" not in text and "user" not in text


def test_closing_pushes_poll_closed_with_the_poll(live, api, raise_poll, group, people):
    poll = raise_poll(group, people["ann"])
    watcher = live(people["cat"])
    watcher.emit("join", {"poll_id": poll["id"]}, callback=True)
    api.post(f"/polls/{poll['id']}/close", user=people["ann"])
    (payload,) = events(watcher, "poll_closed")
    assert payload["poll"]["id"] == poll["id"] and payload["poll"]["closed_at"].endswith("Z")
