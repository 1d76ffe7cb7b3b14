"""What the independent check of the tallies found (issue 19), each from the ballots it was found with."""

import pytest

from platform6.extensions import db
from platform6.governance import tally
from platform6.governance.models import Vote

from .test_tally import ballots_of

# --- 1. "nothing voted" comes from the number of ballots, never from a total -----------------------


def test_a_score_poll_with_a_negative_range_has_a_winner_at_a_top_total_of_zero():
    result = tally.tally_score(["a", "b"], [{"a": 0, "b": -1}])
    assert [(row["name"], row["value"]) for row in result["options"]] == [("a", 0), ("b", -1)]
    assert result["winner"] == "a"


def test_a_negative_score_poll_through_the_api_names_its_winner(api, raise_poll, vote, group, people):
    poll = raise_poll(
        group, people["ann"], kind="score", options=["a", "b"], settings={"min_score": -2, "max_score": 2}
    )
    vote(poll, people["bob"], {"a": 0, "b": -1})
    results = api.get(f"/polls/{poll['id']}/results", user=people["ann"]).get_json()
    assert results["winner"] == "a"


@pytest.mark.parametrize(
    ("kind", "options", "settings"),
    [
        ("proposal", ["agree", "abstain", "disagree", "block"], {}),
        ("poll", ["a", "b"], {}),
        ("dot_vote", ["a", "b"], {}),
        ("score", ["a", "b"], {}),
        ("meeting", ["2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z"], {}),
        ("ranked_choice", ["a", "b"], {"method": "borda"}),
        ("ranked_choice", ["a", "b"], {"method": "instant_runoff"}),
        ("ranked_choice", ["a", "b", "c"], {"method": "stv", "seats": 2}),
    ],
)
def test_without_ballots_no_kind_elects_or_ties_anyone(kind, options, settings):
    result = tally.tally(kind, options, [], settings)
    assert result["winner"] is None
    assert not result.get("elected") and not result.get("tied")


# --- 2. someone whose vote counts is eligible -------------------------------------------------------


def test_voters_who_left_stay_in_the_electorate_so_a_full_quorum_needs_everyone(api, raise_poll, vote, group, people):
    # ann, bob, cat and dan may vote; bob, cat and dan agree, then bob and cat leave
    poll = raise_poll(group, people["ann"], quorum_percent=100)
    for name in ("bob", "cat", "dan"):
        vote(poll, people[name], {"agree": 1})
    for name in ("bob", "cat"):
        assert api.delete(f"/groups/{group.id}/members/{people[name].id}", user=people[name]).status_code == 204

    shown = api.get(f"/polls/{poll['id']}", user=people["ann"]).get_json()
    listed = api.get(f"/groups/{group.id}/polls", user=people["ann"]).get_json()["items"][0]
    assert shown["eligible_count"] == listed["eligible_count"] == 4  # not 2 with 3 votes counted

    api.post(f"/polls/{poll['id']}/close", user=people["ann"])
    results = api.get(f"/polls/{poll['id']}/results", user=people["ann"]).get_json()
    assert (results["voters_count"], results["eligible_count"]) == (3, 4)
    assert results["passed"] is False  # ann never voted: 3 of 4 is not 100 %


def test_the_page_measures_turnout_against_the_same_electorate(client, login, api, raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"])
    vote(poll, people["bob"], {"agree": 1})
    api.delete(f"/groups/{group.id}/members/{people['bob'].id}", user=people["bob"])
    login(people["ann"])
    assert "1</span> of 4 eligible voted." in client.get(f"/polls/{poll['id']}").get_data(as_text=True)


# --- 3. a ballot's ranks are its order, in every method; settings.places ------------------------------

GAPPED = [{"a": 1}, {"b": 3}, {"b": 3}]


@pytest.mark.parametrize("method", ["borda", "instant_runoff", "stv"])
def test_rank_gaps_close_so_every_method_elects_the_same_option(method):
    result = tally.tally("ranked_choice", ["a", "b", "c"], GAPPED, {"method": method})
    assert result["winner"] == "b"


def test_borda_counts_places_from_the_ballots_order():
    result = tally.tally_borda(["a", "b", "c"], GAPPED)
    assert [(row["name"], row["value"]) for row in result["options"]] == [("b", 6), ("a", 3), ("c", 0)]


def test_borda_with_places_gives_places_minus_r_plus_1_and_nothing_unranked():
    # 4 options, 2 places: 1st → 2 points, 2nd → 1, unranked → 0
    ballots = [{"a": 1, "b": 2}, {"b": 1, "c": 2}, {"c": 1}]
    result = tally.tally("ranked_choice", ["a", "b", "c", "d"], ballots, {"method": "borda", "places": 2})
    assert [(row["name"], row["value"]) for row in result["options"]] == [("b", 3), ("c", 3), ("a", 2), ("d", 0)]
    assert result["winner"] is None


@pytest.mark.parametrize("places", [0, 5, -1, "2"])
def test_places_outside_one_to_the_options_is_422_on_settings(raise_poll, group, people, places):
    answer = raise_poll(
        group, people["ann"], expect=422, kind="ranked_choice", options=list("abcd"), settings={"places": places}
    )
    assert "settings.places" in answer["error"]["fields"]


def test_places_default_to_the_options_and_are_echoed(raise_poll, group, people):
    poll = raise_poll(group, people["ann"], kind="ranked_choice", options=list("abc"))
    assert poll["settings"]["places"] == 3


def test_a_voter_ranks_one_to_places_options(api, raise_poll, vote, group, people):
    poll = raise_poll(group, people["ann"], kind="ranked_choice", options=list("abcd"), settings={"places": 2})
    refused = vote(poll, people["bob"], {"a": 1, "b": 2, "c": 3}, expect=422)
    assert "Ranks go from 1 to 2." in refused["error"]["fields"]["choices"]
    vote(poll, people["bob"], {"a": 1, "b": 2})
    vote(poll, people["cat"], {"b": 1})  # fewer than places is fine
    results = api.get(f"/polls/{poll['id']}/results", user=people["ann"]).get_json()
    assert [(row["name"], row["value"]) for row in results["options"]][:2] == [("b", 3), ("a", 2)]
    assert results["winner"] == "b"


def test_the_vote_page_asks_for_up_to_places_and_keeps_the_rule(client, login, raise_poll, group, people):
    poll = raise_poll(group, people["ann"], kind="ranked_choice", options=list("abcd"), settings={"places": 2})
    login(people["bob"])
    html = client.get(f"/polls/{poll['id']}").get_data(as_text=True)
    assert "Rank up to 2 options" in html
    assert '<option value="2">2</option>' in html and '<option value="3">3</option>' not in html
    response = client.post(f"/polls/{poll['id']}/vote", data={"value-0": "1", "value-1": "3"})
    assert response.status_code == 422
    assert "Ranks go from 1 to 2." in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Vote.id)) is None


def test_places_can_be_set_on_the_new_poll_page(client, login, group, people):
    from platform6.governance.models import Poll

    login(people["ann"])
    response = client.post(
        f"/groups/{group.handle}/decisions/new",
        data={"kind": "ranked_choice", "title": "Top two", "options": "a\nb\nc", "places": "2", "reasons": "off"}
        | {"method": "borda", "closing_at": "2099-01-01T10:00"},
    )
    assert response.status_code == 302
    assert db.session.scalar(db.select(Poll.settings))["places"] == 2


# --- 4. the rules' consequences, as documented -------------------------------------------------------

LOSES_HEAD_TO_HEAD = ballots_of(*([["A"]] * 4 + [["B", "D", "C"]] * 3 + [["C", "D"]] * 2 + [["D", "C"]] * 2))


def test_removing_every_option_tied_for_fewest_can_elect_a_head_to_head_loser():
    result = tally.tally_instant_runoff(["A", "B", "C", "D"], LOSES_HEAD_TO_HEAD)
    assert result["rounds"][0] == {"counts": {"A": 4, "B": 3, "C": 2, "D": 2}, "eliminated": ["C", "D"]}
    assert result["winner"] == "A"
    for rival in ("C", "D"):
        prefer_rival = sum(1 for b in LOSES_HEAD_TO_HEAD if rival in b and b.get("A", 99) > b[rival])
        assert (len(LOSES_HEAD_TO_HEAD) - prefer_rival, prefer_rival) == (4, 7)


def test_score_averages_round_half_to_even():
    ballots = [{"a": 3 if i == 0 else 0, "b": 1 if i == 0 else 0} for i in range(8)]
    averages = {row["name"]: row["average"] for row in tally.tally_score(["a", "b"], ballots)["options"]}
    assert averages == {"a": 0.38, "b": 0.12}
    # exactly, not in floating point, where 23/40 = 0.57499999… would round down
    assert tally.score_average(23, 40) == 0.58


def test_the_results_page_states_the_rules_that_can_surprise(client, login, raise_poll, group, people):
    login(people["ann"])
    runoff = raise_poll(
        group, people["ann"], kind="ranked_choice", options=list("AB"), settings={"method": "instant_runoff"}
    )
    html = client.get(f"/polls/{runoff['id']}").get_data(as_text=True)
    assert "Every option tied for fewest votes is removed in the same round" in html
    assert "the first round removes C and D together and A wins" in html
    score = raise_poll(group, people["ann"], kind="score", options=list("ab"))
    assert "(3/8 → 0.38, 1/8 → 0.12)" in client.get(f"/polls/{score['id']}").get_data(as_text=True)
