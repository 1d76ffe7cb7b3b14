"""Polls read right (issue 14) in the reader's language and zone (issue 15): leading while open, colours by
meaning with words, a stable order, ranked choice that keeps what was entered and explains its count,
closing times in the author's zone, Italian pages and notifications."""

import re
from datetime import datetime

from platform6.credit import service as credit_service
from platform6.extensions import db
from platform6.governance.models import Poll, Vote
from platform6.notifications.models import Notification
from platform6.timeutil import utcnow


def html_of(client, path, status=200, **kwargs):
    response = client.get(path, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def results_box(html: str) -> str:
    return html[html.index("data-results-box") : html.index("data-counting-rules")]


def close(client, login, people, poll):
    login(people["ann"])
    assert client.post(f"/polls/{poll['id']}/close").status_code == 302


def test_an_open_poll_names_its_leading_option_and_a_closed_one_its_winner(
    client, login, raise_poll, vote, group, people
):
    poll = raise_poll(group, people["ann"], kind="poll", options=["red", "blue"])
    vote(poll, people["bob"], {"red": 1})
    login(people["cat"])
    box = results_box(html_of(client, f"/polls/{poll['id']}"))
    assert ">leading<" in box and "winner" not in box
    assert "the leading option can still change until it closes" in box
    close(client, login, people, poll)
    box = results_box(html_of(client, f"/polls/{poll['id']}"))
    assert ">winner<" in box and "leading" not in box


def test_bars_are_coloured_by_meaning_and_say_it_in_words(client, login, raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"], kind="proposal")
    vote(poll, people["bob"], {"agree": 1})
    vote(poll, people["cat"], {"block": 1})
    login(people["dan"])
    box = results_box(html_of(client, f"/polls/{poll['id']}"))
    rows = re.findall(
        r'<li class="poll-result poll-(\w+)" data-option="(\w+)">\s*<span class="poll-option">.*?</span>(.*?)<',
        box,
        re.S,
    )
    meanings = {option: meaning for meaning, option, _ in rows}
    assert meanings == {"agree": "agree", "abstain": "abstain", "disagree": "disagree", "block": "block"}
    for label in ("Agree", "Abstain", "Disagree", "Block"):
        assert label in box  # the meaning in words, beside its colour
    assert "1 vote" in box and "0 votes" in box
    other = raise_poll(group, people["ann"], kind="poll", options=["red", "blue"])
    assert 'class="poll-result poll-neutral" data-option="red"' in html_of(client, f"/polls/{other['id']}")


def test_options_keep_the_polls_order_whatever_the_counts(client, login, raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"], kind="poll", options=["red", "blue", "green"])
    for name in ("bob", "cat", "dan"):
        vote(poll, people[name], {"green": 1})
    vote(poll, people["ann"], {"blue": 1})
    login(people["bob"])
    box = results_box(html_of(client, f"/polls/{poll['id']}"))
    assert re.findall(r'data-option="(\w+)"', box) == ["red", "blue", "green"]


def test_ranked_choice_without_javascript_honours_places_and_keeps_a_refused_ballot(
    client, login, raise_poll, group, people
):
    poll = raise_poll(group, people["ann"], kind="ranked_choice", options=list("abcd"), settings={"places": 3})
    login(people["bob"])
    html = html_of(client, f"/polls/{poll['id']}")
    assert "Rank up to 3 options" in html
    assert html.count('<option value="3">3</option>') == 4 and '<option value="4">4</option>' not in html
    response = client.post(
        f"/polls/{poll['id']}/vote",
        data={"value-0": "1", "value-1": "2", "value-2": "2", "reason": "Birch lasts longest"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count("No rank may be given twice.") == 1
    selected = re.findall(r'<select id="value-(\d)" name="value-\d">.*?</select>', html, re.S)
    assert selected == ["0", "1", "2", "3"]
    for index, rank in (("0", "1"), ("1", "2"), ("2", "2")):
        select = re.search(rf'<select id="value-{index}".*?</select>', html, re.S).group(0)
        assert f'<option value="{rank}" selected>' in select
    assert " selected" not in re.search(r'<select id="value-3".*?</select>', html, re.S).group(0)
    assert "Birch lasts longest" in html
    assert db.session.scalar(db.select(Vote.id)) is None
    accepted = client.post(f"/polls/{poll['id']}/vote", data={"value-0": "1", "value-2": "2", "reason": ""})
    assert accepted.status_code == 302
    assert db.session.scalar(db.select(Vote.choices)) == {"a": 1, "c": 2}


def test_every_vote_form_error_shows_once_and_keeps_what_was_typed(client, login, raise_poll, group, people):
    poll = raise_poll(group, people["ann"], kind="dot_vote", options=["red", "blue"], settings={"dots_per_voter": 4})
    login(people["bob"])
    response = client.post(f"/polls/{poll['id']}/vote", data={"value-0": "3", "value-1": "2", "reason": "Mostly red"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.count("You have 4 dots; you placed 5.") == 1
    assert 'name="value-0" inputmode="numeric"' in html and 'value="3"' in html and 'value="2"' in html
    assert "Mostly red" in html


def test_ranked_results_explain_the_count(client, login, raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"], kind="ranked_choice", options=["alder", "birch", "cedar"])
    vote(poll, people["bob"], {"alder": 1, "birch": 2})
    vote(poll, people["cat"], {"birch": 1, "alder": 2, "cedar": 3})
    login(people["dan"])
    html = html_of(client, f"/polls/{poll['id']}")
    assert "Borda count: a 1st place gives 3 points, a 2nd place one fewer" in html
    box = results_box(html)
    assert "5 points" in box and "1 point" in box  # alder 3 + 2, birch 2 + 3, cedar 1
    assert "ranked 1st by 1 voter" in box and "ranked 1st by 0 voters" in box
    assert " · 2 voters" not in box


def test_the_closing_time_is_read_in_the_authors_zone_and_stored_in_utc(client, login, group, people):
    year = utcnow().year + 1
    people["bob"].time_zone = "Europe/Rome"
    db.session.commit()
    login(people["bob"])
    form = html_of(client, f"/groups/{group.handle}/decisions/new")
    assert "Closes at, in your time zone (Europe/Rome)" in form
    response = client.post(
        f"/groups/{group.handle}/decisions/new",
        data={"kind": "proposal", "title": "Summer party", "closing_at": f"{year}-07-01T12:00", "reasons": "optional"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert db.session.scalar(db.select(Poll.closing_at)) == datetime(year, 7, 1, 10, 0)  # CEST is UTC+2
    page = html_of(client, response.headers["Location"])
    assert f"Jul 1, {year}, 12:00 (Central European Summer Time)" in page


def test_meeting_times_are_typed_in_the_authors_zone_and_shown_in_each_readers(client, login, group, people):
    people["bob"].time_zone = "Europe/Rome"
    people["cat"].time_zone = "America/Sao_Paulo"
    db.session.commit()
    login(people["bob"])
    response = client.post(
        f"/groups/{group.handle}/decisions/new",
        data={"kind": "meeting", "title": "AGM", "options": "2026-12-01 18:00\n2026-12-02 18:00",
              "closing_at": "2099-01-01T10:00", "reasons": "optional"},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert db.session.scalar(db.select(Poll.options)) == ["2026-12-01T17:00:00Z", "2026-12-02T17:00:00Z"]
    assert "Dec 1, 2026, 18:00" in html_of(client, response.headers["Location"])
    login(people["cat"])
    page = html_of(client, response.headers["Location"])
    assert "Dec 1, 2026, 14:00" in page and "America/Sao_Paulo" in page


def test_a_binding_action_picks_an_account_by_holder_and_network(client, login, group, people):
    network = credit_service.create_network(
        actor=people["ann"], name="Kirklees", group_id=group.id, currency_code="KRK", currency_name="Kirklees credit",
        currency_symbol="§", currency_decimals=2)  # fmt: skip
    account = credit_service.open_account(
        actor=None, network=network, holder_type="user", holder_id=people["bob"].id, kind="business"
    )
    db.session.commit()
    login(people["ann"])
    html = html_of(client, f"/groups/{group.handle}/decisions/new")
    assert f'<option value="{account.id}">Bob · Kirklees (KRK)</option>' in html
    assert "minor units" not in html
    assert "how far below zero its balance may go" in html


def test_a_poll_page_in_italian(client, login, raise_poll, vote, group, people):
    people["bob"].locale = "it"
    db.session.commit()
    poll = raise_poll(group, people["ann"], kind="proposal", title="Comprare una bici cargo")
    vote(poll, people["cat"], {"agree": 1})
    login(people["bob"])
    html = html_of(client, f"/polls/{poll['id']}")
    assert '<html lang="it"' in html
    for italian in ("Risultati", "D&#39;accordo", "Astensione", "Contrario", "Blocco", "Vota", "Proposta", "1 voto"):
        assert italian in html, italian
    for english in (">Results<", ">Agree<", ">Vote<", "eligible have voted", "Your choice", ">Proposal<", "Reason"):
        assert english not in html, english


def test_notifications_are_written_in_each_recipients_language(client, login, raise_poll, group, people):
    people["bob"].locale = "it"
    db.session.commit()
    raise_poll(group, people["ann"], kind="proposal", title="Bici")
    texts = dict(db.session.execute(db.select(Notification.user_id, Notification.text)).all())
    assert texts[people["bob"].id] == "Ann ha aperto “Bici” in " + group.name + " (Proposta)"
    assert texts[people["cat"].id] == "Ann opened “Bici” in " + group.name + " (Proposal)"


def _english_left(html: str) -> list[str]:
    """The area's English msgids (whole sentences, no placeholders) that an Italian page still shows."""
    from babel.messages.extract import extract_from_dir

    texts = set()
    method_map = [("templates/governance/**.html", "jinja2"), ("platform6/governance/**.py", "python")]
    options = {"templates/governance/**.html": {"extensions": "jinja2.ext.do"}}
    for _file, _line, message, _comments, _context in extract_from_dir(
        ".", method_map, options, keywords={"_": None, "_l": None, "gettext": None, "ngettext": (1, 2)}
    ):
        for text in message if isinstance(message, tuple) else (message,):
            if text and "%" not in text and len(text) > 8 and text not in ("Markdown.",):
                texts.add(text)
    shown = re.findall(r">\s*([^<>]+?)\s*<", html) + re.findall(
        r'(?:aria-label|title|data-confirm|placeholder)="([^"]*)"', html
    )
    return sorted(texts & set(shown))


def test_the_decision_pages_in_italian_leave_no_english(client, login, raise_poll, vote, group, people):
    people["ann"].locale = "it"
    db.session.commit()
    ranked = raise_poll(group, people["ann"], kind="ranked_choice", options=["alder", "birch"])
    vote(ranked, people["bob"], {"alder": 1})
    proposal = raise_poll(group, people["ann"], kind="proposal")
    vote(proposal, people["bob"], {"agree": 1})
    login(people["ann"])
    for path in (
        f"/polls/{ranked['id']}",
        f"/polls/{proposal['id']}",
        f"/groups/{group.handle}/decisions",
        f"/groups/{group.handle}/decisions/new",
        "/decisions",
    ):
        assert _english_left(html_of(client, path)) == [], path
