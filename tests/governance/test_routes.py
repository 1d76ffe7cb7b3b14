"""The decision pages: raising, voting for every kind, charts, anonymity, closing, outcome, CSV, dashboard."""

import pytest

from platform6.extensions import db
from platform6.governance.models import Poll, Vote

from .conftest import in_days

MEETING = ["2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z"]


def page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def test_a_member_raises_a_proposal_from_the_form(client, login, group, people):
    login(people["bob"])
    assert "Raise a decision" in page(client, f"/groups/{group.handle}/decisions/new")
    response = client.post(
        f"/groups/{group.handle}/decisions/new",
        data={"kind": "proposal", "title": "Buy a cargo bike", "closing_at": in_days(3)[:16], "reasons": "optional"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    poll = db.session.scalar(db.select(Poll))
    assert poll.title == "Buy a cargo bike" and poll.author_id == people["bob"].id
    assert "Buy a cargo bike" in page(client, f"/groups/{group.handle}/decisions")


def test_the_form_shows_rule_errors_on_their_fields(client, login, group, people):
    login(people["bob"])
    response = client.post(
        f"/groups/{group.handle}/decisions/new",
        data={
            "kind": "poll",
            "title": "Colour",
            "options": "red",
            "closing_at": in_days(3)[:16],
            "reasons": "optional",
        },
    )
    assert response.status_code == 422
    assert "Give 2 to 50 options." in response.get_data(as_text=True)


def test_a_ranked_choice_stv_poll_from_the_form_keeps_its_settings(client, login, group, people):
    login(people["ann"])
    response = client.post(
        f"/groups/{group.handle}/decisions/new",
        data={
            "kind": "ranked_choice",
            "title": "Committee",
            "options": "Ann\nBob\nCat\nDan",
            "method": "stv",
            "seats": "2",
            "closing_at": in_days(3)[:16],
            "reasons": "off",
        },
    )
    assert response.status_code == 302
    poll = db.session.scalar(db.select(Poll))
    assert poll.settings == {"reasons": "off", "method": "stv", "seats": 2, "places": 4}


@pytest.mark.parametrize(
    "kind, options, form, stored",
    [
        ("proposal", None, {"choice": "agree"}, {"agree": 1}),
        ("count", None, {"choice": "no"}, {"no": 1}),
        ("check", None, {"choice": "not_sure"}, {"not_sure": 1}),
        ("poll", ["red", "blue"], {"choice": "blue"}, {"blue": 1}),
        ("dot_vote", ["red", "blue"], {"value-0": "3", "value-1": "5"}, {"red": 3, "blue": 5}),
        ("score", ["red", "blue"], {"value-0": "4", "value-1": "1"}, {"red": 4, "blue": 1}),
        ("ranked_choice", ["red", "blue", "green"], {"value-0": "2", "value-2": "1"}, {"red": 2, "green": 1}),
        ("meeting", MEETING, {"value-0": "2", "value-1": "1"}, {MEETING[0]: 2, MEETING[1]: 1}),
        ("question", None, {"reason": "Thursdays suit me"}, {}),
    ],
)
def test_every_kind_can_be_voted_on_its_page(client, login, raise_poll, group, people, kind, options, form, stored):
    body = {"kind": kind, **({"options": options} if options else {})}
    poll = raise_poll(group, people["ann"], **body)
    login(people["bob"])
    assert "<form" in page(client, f"/polls/{poll['id']}")
    response = client.post(f"/polls/{poll['id']}/vote", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert db.session.scalar(db.select(Vote.choices)) == stored
    html = page(client, f"/polls/{poll['id']}")
    assert "Receipt: you voted" in html
    if kind != "question":
        assert 'class="poll-bar-fill"' in html


def test_a_rule_breaking_vote_re_renders_with_422(client, login, raise_poll, group, people):
    poll = raise_poll(group, people["ann"], kind="dot_vote", options=["a", "b"], settings={"dots_per_voter": 3})
    login(people["bob"])
    response = client.post(f"/polls/{poll['id']}/vote", data={"value-0": "3", "value-1": "3"})
    assert response.status_code == 422
    assert "You have 3 dots; you placed 6." in response.get_data(as_text=True)


def test_the_page_names_voters_and_who_has_not_voted(client, login, raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"])
    vote(poll, people["bob"], {"agree": 1}, reason="Cheaper than a van")
    login(people["cat"])
    html = page(client, f"/polls/{poll['id']}")
    assert "<strong>Bob</strong>: Agree" in html and "Cheaper than a van" in html
    assert "Not voted yet" in html and "Dan" in html


def test_an_anonymous_poll_page_links_no_voter_to_a_choice(client, login, raise_poll, vote, group, people, api):
    poll = raise_poll(group, people["ann"], anonymous=True)
    vote(poll, people["bob"], {"block": 1}, reason="Too costly for Bob")
    login(people["ann"])  # an admin, and the author
    html = page(client, f"/polls/{poll['id']}")
    assert "Too costly" not in html and "Not voted yet" not in html
    assert "<strong>Bob</strong>" not in html
    # a count that moved with each vote would show each ballot: the results wait for the close
    assert 'class="poll-bar-fill"' not in html and "hidden until the poll closes" in html
    api.post(f"/polls/{poll['id']}/close", user=people["ann"])
    html = page(client, f"/polls/{poll['id']}")
    assert 'class="poll-bar-fill"' in html and "Too costly" not in html and "<strong>Bob</strong>" not in html
    csv = page(client, f"/polls/{poll['id']}/results.csv")
    assert "Bob" not in csv and "block,Block,1,1" in csv


def test_hidden_results_stay_hidden_on_the_page_until_close(client, login, raise_poll, vote, group, people, api):
    poll = raise_poll(group, people["ann"], hide_results=True)
    vote(poll, people["bob"], {"agree": 1})
    login(people["ann"])
    html = page(client, f"/polls/{poll['id']}")
    assert "Results are hidden until the poll closes" in html and "poll-bar-fill" not in html
    assert "<strong>Bob</strong>" not in html
    page(client, f"/polls/{poll['id']}/results.csv", status=403)
    assert client.post(f"/polls/{poll['id']}/close").status_code == 302
    assert "poll-bar-fill" in page(client, f"/polls/{poll['id']}")


def test_close_and_outcome_from_the_page(client, login, raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"], kind="poll", options=["red", "blue"])
    vote(poll, people["bob"], {"red": 1})
    login(people["ann"])
    assert client.post(f"/polls/{poll['id']}/close").status_code == 302
    html = page(client, f"/polls/{poll['id']}")
    assert "Write the outcome" in html
    response = client.post(
        f"/polls/{poll['id']}/outcome", data={"statement": "We paint it **red**.", "option": "red", "review_on": ""}
    )
    assert response.status_code == 302
    html = page(client, f"/polls/{poll['id']}")
    assert "<strong>red</strong>" in html and "Chosen:" in html


def test_proxy_from_the_page(client, login, raise_poll, group, people):
    poll = raise_poll(group, people["ann"])
    login(people["cat"])
    assert client.post(f"/polls/{poll['id']}/proxy", data={"proxy_id": people["bob"].id}).status_code == 302
    assert "Bob votes for you on this poll." in page(client, f"/polls/{poll['id']}")
    assert client.post(f"/polls/{poll['id']}/proxy/revoke").status_code == 302
    assert "Set proxy" in page(client, f"/polls/{poll['id']}")


def test_outsiders_get_404_for_a_closed_groups_poll(client, login, raise_poll, group, people):
    poll = raise_poll(group, people["ann"])
    login(people["eve"])
    page(client, f"/polls/{poll['id']}", status=404)
    page(client, f"/groups/{group.handle}/decisions", status=404)


def test_the_poll_page_query_count_does_not_grow_with_votes(
    client, login, raise_poll, group, people, create_user, queries
):
    from platform6.groups.permissions import forget_memberships
    from platform6.groups.service import add_member

    poll = raise_poll(group, people["ann"], kind="poll", options=["a", "b", "c"])
    login(people["ann"])

    def count():
        db.session.expire_all()
        forget_memberships()  # the test shares the app context (and its membership cache) with the page
        with queries() as statements:
            page(client, f"/polls/{poll['id']}")
        return len(statements)

    db.session.add(Vote(poll_id=poll["id"], user_id=people["bob"].id, choices={"a": 1}))
    db.session.commit()
    few = count()
    for n in range(25):
        user = create_user()
        add_member(actor=people["ann"], group=group, user_id=user.id)
        db.session.add(Vote(poll_id=poll["id"], user_id=user.id, choices={"abc"[n % 3]: 1}))
    db.session.commit()
    assert count() == few


def test_the_dashboard_shows_open_decisions(client, login, raise_poll, group, people):
    raise_poll(group, people["ann"], title="Buy a cargo bike")
    login(people["bob"])
    html = page(client, "/dashboard")
    assert "Open decisions" in html and "Buy a cargo bike" in html and "not voted" in html
    mine = page(client, "/decisions")
    assert "Buy a cargo bike" in mine and f"/groups/{group.handle}/decisions/new" in mine


def test_a_poll_raised_in_a_thread_shows_in_the_thread_and_links_back(client, login, raise_poll, group, people):
    from platform6.forums.service import start_discussion

    thread = start_discussion(actor=people["ann"], group=group, title="Transport")
    db.session.commit()
    login(people["bob"])
    form = page(client, f"/groups/{group.handle}/decisions/new?discussion_id={thread.id}")
    assert "In the thread “Transport”" in form
    poll = raise_poll(group, people["bob"], discussion_id=thread.id, title="Buy a cargo bike")
    assert f"/polls/{poll['id']}" in page(client, f"/d/{thread.id}")
    assert f"/d/{thread.id}" in page(client, f"/polls/{poll['id']}")


def test_anyone_may_read_an_open_groups_poll_but_only_members_vote(client, create_group, raise_poll, vote, people):
    group = create_group(admin=people["ann"], privacy="open", members=[people["bob"]])
    poll = raise_poll(group, people["ann"])
    vote(poll, people["bob"], {"agree": 1})
    html = page(client, f"/polls/{poll['id']}")
    assert "poll-bar-fill" in html and 'name="choice"' not in html
    assert client.post(f"/polls/{poll['id']}/vote", data={"choice": "agree"}).status_code == 302  # to sign in
    assert db.session.scalar(db.select(db.func.count()).select_from(Vote)) == 1
