"""A thread's guest (issue 16) sees and votes in the polls raised in that thread, and no other poll of the group."""

import pytest

from platform6.extensions import db, socketio
from platform6.forums import guests
from platform6.forums import service as forums
from platform6.notifications.models import Notification


@pytest.fixture
def thread(group, people):
    """Bob's thread in the closed group, with Eve (an outsider) as its guest."""
    discussion = forums.start_discussion(actor=people["bob"], group=group, title="Cargo bike")
    guests.invite_guest(actor=people["ann"], discussion=discussion, user=people["eve"])
    db.session.commit()
    return discussion


def test_a_guest_votes_in_the_threads_poll_and_not_in_another(api, raise_poll, vote, group, people, thread):
    in_thread = raise_poll(group, people["ann"], discussion_id=thread.id)
    elsewhere = raise_poll(group, people["ann"], title="Paint the door")
    eve = people["eve"]
    assert api.get(f"/polls/{in_thread['id']}", user=eve).status_code == 200
    vote(in_thread, eve, {"agree": 1})
    results = api.get(f"/polls/{in_thread['id']}/results", user=people["ann"]).get_json()
    # four voting members and the guest
    assert (results["voters_count"], results["eligible_count"]) == (1, 5)
    assert api.get(f"/polls/{elsewhere['id']}", user=eve).status_code == 404
    vote(elsewhere, eve, {"agree": 1}, expect=404)
    assert api.get(f"/groups/{group.id}/polls", user=eve).status_code == 404


def test_the_guest_is_asked_to_vote_and_votes_from_the_poll_page(client, login, raise_poll, group, people, thread):
    poll = raise_poll(group, people["ann"], discussion_id=thread.id)
    eve = people["eve"]
    asked = db.session.scalar(
        db.select(db.func.count()).where(Notification.user_id == eve.id, Notification.kind == "poll_created")
    )
    assert asked == 1
    login(eve)
    assert 'data-my-vote="not-voted"' in client.get(f"/d/{thread.id}").get_data(as_text=True)
    assert client.post(f"/polls/{poll['id']}/vote", data={"choice": "agree"}).status_code == 302
    assert client.get(f"/polls/{poll['id']}").status_code == 200


def test_a_removed_guest_keeps_their_vote_but_loses_the_poll(api, raise_poll, vote, group, people, thread):
    poll = raise_poll(group, people["ann"], discussion_id=thread.id)
    vote(poll, people["eve"], {"agree": 1})
    guests.remove_guest(actor=people["ann"], discussion=thread, user_id=people["eve"].id)
    db.session.commit()
    assert api.get(f"/polls/{poll['id']}", user=people["eve"]).status_code == 404
    results = api.get(f"/polls/{poll['id']}/results", user=people["ann"]).get_json()
    # as a member who left: the vote still counts, so its voter stays in the electorate
    assert (results["voters_count"], results["eligible_count"]) == (1, 5)


def test_a_guest_joins_the_threads_poll_room_only(app, api, raise_poll, group, people, thread):
    in_thread = raise_poll(group, people["ann"], discussion_id=thread.id)
    elsewhere = raise_poll(group, people["ann"], title="Paint the door")
    socket = socketio.test_client(app, auth={"token": api.token(people["eve"])})
    assert socket.emit("join", {"poll_id": in_thread["id"]}, callback=True) == {"ok": True}
    assert socket.emit("join", {"poll_id": elsewhere["id"]}, callback=True) == {"error": {"code": "not_found"}}
