"""Decisions inside threads (issue 14): started from the thread, in its timeline, live at its top."""

import re
from datetime import timedelta

from platform6.extensions import db
from platform6.governance import service as governance
from platform6.timeutil import utcnow
from tests.conftest import PASSWORD


def _poll(group, author, discussion, title="Buy a cargo bike", kind="proposal"):
    poll = governance.create_poll(
        actor=author,
        group=group,
        kind=kind,
        title=title,
        closing_at=utcnow() + timedelta(days=3),
        discussion_id=discussion.id,
        options=None if kind == "proposal" else ["Tuesday", "Friday"],
    )
    db.session.commit()
    return poll


def test_a_member_starts_a_proposal_from_the_thread(client, login, create_user, create_group, create_discussion):
    alice, bob = create_user(), create_user()
    group = create_group(admin=alice, members=[bob])
    discussion = create_discussion(group=group, author=alice, title="Transport")
    login(bob)
    html = client.get(f"/d/{discussion.id}").get_data(as_text=True)
    start = f"/groups/{group.handle}/decisions/new?discussion_id={discussion.id}&amp;kind=proposal"
    assert "Start a proposal" in html and start in html and "Start a poll" in html
    form = client.get(start.replace("&amp;", "&")).get_data(as_text=True)
    assert "In the thread “Transport”" in form and f'value="{discussion.id}"' in form
    response = client.post(
        start.replace("&amp;", "&"),
        data={
            "kind": "proposal",
            "title": "Buy a cargo bike",
            "closing_at": (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "discussion_id": str(discussion.id),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    from platform6.governance.models import Poll

    assert db.session.scalar(db.select(Poll.discussion_id)) == discussion.id


def test_no_start_links_for_outsiders_or_on_a_closed_thread(
    client, login, create_user, create_group, create_discussion
):
    alice, carol = create_user(), create_user()
    group = create_group(admin=alice, privacy="open")
    discussion = create_discussion(group=group, author=alice)
    login(carol)
    assert "Start a proposal" not in client.get(f"/d/{discussion.id}").get_data(as_text=True)
    login(alice)
    client.post(f"/d/{discussion.id}/close")
    assert "Start a proposal" not in client.get(f"/d/{discussion.id}").get_data(as_text=True)


def test_an_open_poll_shows_in_the_timeline_where_raised_and_live_at_the_top(
    client, login, create_user, create_group, create_discussion, post_comment
):
    alice, bob = create_user(), create_user()
    group = create_group(admin=alice, members=[bob])
    discussion = create_discussion(group=group, author=alice)
    before = post_comment(discussion, alice, "before the poll")
    poll = _poll(group, alice, discussion)
    poll.created_at = before.created_at + timedelta(minutes=1)
    after = post_comment(discussion, bob, "after the poll")
    after.created_at = poll.created_at + timedelta(minutes=1)
    db.session.commit()
    login(bob)
    html = client.get(f"/d/{discussion.id}").get_data(as_text=True)
    top = html.index("data-thread-decisions")
    in_timeline = html.index(f'data-timeline-poll="{poll.id}"')
    assert top < html.index("before the poll") < in_timeline < html.index("after the poll")
    state = html[top:in_timeline]
    assert "Buy a cargo bike" in state and "Closes" in state and "0 votes so far" in state
    assert 'data-my-vote="not-voted"' in state and f"/polls/{poll.id}#vote-head" in state
    governance.cast_vote(actor=bob, poll=poll, choices={"agree": 1})
    db.session.commit()
    state = client.get(f"/d/{discussion.id}").get_data(as_text=True)
    assert 'data-my-vote="voted"' in state and "1 vote so far" in state


def test_a_closed_poll_shows_its_outcome_at_the_top(client, login, create_user, create_group, create_discussion):
    alice, bob = create_user(), create_user()
    group = create_group(admin=alice, members=[bob])
    discussion = create_discussion(group=group, author=alice)
    poll = _poll(group, alice, discussion)
    governance.close_poll(poll=poll, actor=alice)
    governance.set_outcome(actor=alice, poll=poll, statement="We buy the **bike** in March.")
    db.session.commit()
    login(bob)
    html = client.get(f"/d/{discussion.id}").get_data(as_text=True)
    top = html[html.index("data-thread-decisions") : html.index(f'data-timeline-poll="{poll.id}"')]
    assert "Outcome" in top and "<strong>bike</strong> in March" in top
    assert "Vote</a>" not in top and "votes so far" not in top


def test_decisions_add_one_query_however_many_polls(
    client, login, create_user, create_group, create_discussion, queries
):
    alice, bob = create_user(), create_user()
    group = create_group(admin=alice, members=[bob])
    discussion = create_discussion(group=group, author=alice)
    _poll(group, alice, discussion, "First")
    login(bob)
    client.get(f"/d/{discussion.id}")
    with queries() as one:
        client.get(f"/d/{discussion.id}")
    for n in range(4):
        _poll(group, alice, discussion, f"More {n}")
    with queries() as five:
        client.get(f"/d/{discussion.id}")
    assert len(one) == len(five)


def test_a_thread_page_in_italian_speaks_italian(
    app, client, login, create_user, create_group, create_discussion, post_comment
):
    alice, bob = create_user(), create_user()
    group = create_group(admin=alice, members=[bob])
    discussion = create_discussion(group=group, author=alice)
    first = post_comment(discussion, alice, "Ciao")
    post_comment(discussion, bob, "Risposta", parent=first)
    _poll(group, alice, discussion)
    bob.locale, bob.time_zone = "it", "Europe/Rome"
    db.session.commit()
    login(bob)
    html = client.get(f"/d/{discussion.id}").get_data(as_text=True)
    for italian in ("Avvia una proposta", "Rispondi", "Reagisci", "Pubblica il commento", "Proposta", "Chiude il"):
        assert italian in html, italian
    for english in (">Reply<", ">React<", "Post comment", "Start a proposal", "votes so far", "Someone who left"):
        assert english not in html, english
    other = app.test_client()
    other.post("/sign-in", data={"email": alice.email, "password": PASSWORD})
    english_page = other.get(f"/d/{discussion.id}").get_data(as_text=True)
    assert "Open for votes" in english_page and "Aperta al voto" not in english_page
    # the comments' cached parts are per language and zone: the time's title is the reader's
    titles = re.findall(r'id="comment-\d+".*?<time datetime="[^"]+" title="([^"]+)"', english_page, re.S)
    assert titles and all("(" in t and "Europa" not in t and "centrale" not in t for t in titles)
    rome = re.findall(r'id="comment-\d+".*?<time datetime="[^"]+" title="([^"]+)"', html, re.S)
    assert rome and all("centrale" in t for t in rome), rome
