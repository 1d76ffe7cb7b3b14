"""Every kind's tally against numbers worked out by hand (pure functions: no database)."""

from platform6.governance import tally
from platform6.governance.tally import proposal_passed

PROPOSAL = ["agree", "abstain", "disagree", "block"]


def rows(result):
    return [(row["name"], row["value"], row["voters"]) for row in result["options"]]


def ballots_of(*ranked_lists):
    """Ranked ballots from lists of options, most preferred first ([a, b] -> {a: 1, b: 2})."""
    return [{name: rank for rank, name in enumerate(names, 1)} for names in ranked_lists]


def test_proposal_counts_voters_per_option_best_first():
    ballots = [{"agree": 1}] * 3 + [{"disagree": 1}, {"block": 1}]
    result = tally.tally_proposal(PROPOSAL, ballots)
    # disagree and block tie at 1: they keep the proposal's order
    assert rows(result) == [("agree", 3, 3), ("disagree", 1, 1), ("block", 1, 1), ("abstain", 0, 0)]
    assert result["winner"] == "agree"


def test_a_tie_for_first_place_has_no_winner():
    result = tally.tally_count(["yes", "no"], [{"yes": 1}, {"no": 1}])
    assert result["winner"] is None
    assert rows(result) == [("yes", 1, 1), ("no", 1, 1)]
    assert tally.tally_count(["yes", "no"], [])["winner"] is None


def test_poll_with_several_choices_counts_each_voter_once_per_option():
    ballots = [{"a": 1, "b": 1}, {"a": 1}, {"c": 1, "a": 1}]
    result = tally.tally_poll(["a", "b", "c"], ballots)
    assert rows(result) == [("a", 3, 3), ("b", 1, 1), ("c", 1, 1)]
    assert result["winner"] == "a"


def test_check_counts_like_a_proposal():
    result = tally.tally_check(["looks_good", "not_sure", "concerned"], [{"concerned": 1}, {"concerned": 1}])
    assert result["winner"] == "concerned"
    assert rows(result)[0] == ("concerned", 2, 2)


def test_dot_vote_sums_dots():
    ballots = [{"a": 5, "b": 3}, {"b": 6, "c": 2}]
    result = tally.tally_dot_vote(["a", "b", "c"], ballots)
    assert rows(result) == [("b", 9, 2), ("a", 5, 1), ("c", 2, 1)]
    assert result["winner"] == "b"


def test_score_sums_and_averages_over_the_ballots():
    ballots = [{"a": 5, "b": 3, "c": 0}, {"a": 4, "b": 5, "c": 1}, {"a": 0, "b": 4, "c": 2}]
    result = tally.tally_score(["a", "b", "c"], ballots)
    assert rows(result) == [("b", 12, 3), ("a", 9, 2), ("c", 3, 2)]
    assert [row["average"] for row in result["options"]] == [4.0, 3.0, 1.0]
    assert result["winner"] == "b"


def test_meeting_counts_two_for_yes_and_one_for_if_need_be():
    t1, t2 = "2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z"
    ballots = [{t1: 2, t2: 1}, {t1: 0, t2: 2}, {t1: 1, t2: 2}]
    result = tally.tally_meeting([t1, t2], ballots)
    first, second = result["options"]
    assert (first["name"], first["value"], first["yes"], first["if_need_be"], first["no"]) == (t2, 5, 2, 1, 0)
    assert (second["name"], second["value"], second["yes"], second["if_need_be"], second["no"]) == (t1, 3, 1, 1, 1)
    assert result["winner"] == t2


def test_question_has_nothing_to_count():
    assert tally.tally_question([], [{}, {}]) == {"options": [], "winner": None}


def test_borda_gives_n_minus_r_plus_1_and_nothing_when_unranked():
    # n = 3: rank 1 → 3 points, rank 2 → 2, rank 3 → 1, unranked → 0
    ballots = [{"a": 1, "b": 2, "c": 3}, {"b": 1, "c": 2, "a": 3}, {"a": 1, "c": 2}]
    result = tally.tally_borda(["a", "b", "c"], ballots)
    assert rows(result) == [("a", 7, 3), ("b", 5, 2), ("c", 5, 3)]
    assert result["winner"] == "a"


def test_borda_tie_at_the_top_is_reported():
    result = tally.tally_borda(["a", "b"], [{"a": 1, "b": 2}, {"b": 1, "a": 2}])
    assert result["winner"] is None
    assert [row["value"] for row in result["options"]] == [3, 3]


def test_instant_runoff_removes_every_option_tied_for_fewest():
    ballots = ballots_of(*([["a", "b", "c"]] * 4 + [["b", "c"]] * 3 + [["c", "b"]] * 2 + [["d", "c"]]))
    result = tally.tally_instant_runoff(["a", "b", "c", "d"], ballots)
    assert result["rounds"] == [
        {"counts": {"a": 4, "b": 3, "c": 2, "d": 1}, "eliminated": ["d"]},
        # d's ballot moves to c: b and c tie for fewest and both go
        {"counts": {"a": 4, "b": 3, "c": 3}, "eliminated": ["b", "c"]},
        {"counts": {"a": 4}, "eliminated": []},
    ]
    assert result["winner"] == "a"
    # each option's value is its count in the last round it was in
    assert rows(result) == [("a", 4, 4), ("b", 3, 9), ("c", 3, 10), ("d", 1, 1)]


def test_instant_runoff_stops_at_a_majority_of_the_counted_ballots():
    ballots = ballots_of(*([["a"]] * 3 + [["b"]] * 2 + [["c"]]))
    result = tally.tally_instant_runoff(["a", "b", "c"], ballots)
    # round 1: a has 3 of 6, not more than half; c goes and its ballot is exhausted
    assert result["rounds"] == [
        {"counts": {"a": 3, "b": 2, "c": 1}, "eliminated": ["c"]},
        {"counts": {"a": 3, "b": 2}, "eliminated": []},
    ]
    assert result["winner"] == "a"


def test_instant_runoff_with_all_remaining_tied_has_no_winner():
    result = tally.tally_instant_runoff(["a", "b"], ballots_of(["a"], ["b"]))
    assert result["winner"] is None
    assert result["rounds"] == [{"counts": {"a": 1, "b": 1}, "eliminated": []}]


def test_stv_elects_a_committee_with_the_droop_quota_and_transfers_surpluses():
    ballots = ballots_of(*([["a", "b"]] * 6 + [["b", "c"]] * 2 + [["c"]] * 3 + [["d", "c"]]))
    result = tally.tally_stv(["a", "b", "c", "d"], ballots, seats=2)
    # 12 valid ballots, 2 seats: quota = 12 // 3 + 1 = 5
    assert result["quota"] == 5
    assert result["rounds"] == [
        {"counts": {"a": 6, "b": 2, "c": 3, "d": 1}, "elected": ["a"], "eliminated": []},
        # a's surplus of 1 passes on: six ballots at 1/6 each give b one vote
        {"counts": {"b": 3, "c": 3, "d": 1}, "elected": [], "eliminated": ["d"]},
        {"counts": {"b": 3, "c": 4}, "elected": [], "eliminated": ["b"]},
        # b's own two ballots go to c (a's are exhausted: a is elected)
        {"counts": {"c": 6}, "elected": ["c"], "eliminated": []},
    ]
    assert result["elected"] == ["a", "c"]
    assert result["winner"] is None  # several seats: see `elected`
    assert rows(result) == [("a", 6, 6), ("c", 6, 6), ("b", 3, 8), ("d", 1, 1)]


def test_stv_for_one_seat_names_the_winner():
    ballots = ballots_of(*([["a"]] * 3 + [["b", "a"]] * 2))
    result = tally.tally_stv(["a", "b"], ballots, seats=1)
    assert result["quota"] == 3  # 5 // 2 + 1
    assert result["winner"] == "a" and result["elected"] == ["a"]


def test_stv_reports_an_unbreakable_tie():
    result = tally.tally_stv(["a", "b", "c"], ballots_of(["a"], ["b"]), seats=1)
    # c (0) goes first; then a and b tie for the one seat
    assert result["elected"] == [] and result["winner"] is None
    assert result["tied"] == ["a", "b"]


def test_ranked_choice_picks_the_method_from_settings():
    ballots = ballots_of(["a", "b"], ["a", "b"], ["b", "a"])
    assert tally.tally("ranked_choice", ["a", "b"], ballots, {"method": "borda"})["options"][0]["value"] == 5
    assert "rounds" in tally.tally("ranked_choice", ["a", "b"], ballots, {"method": "instant_runoff"})
    assert tally.tally("ranked_choice", ["a", "b"], ballots, {"method": "stv", "seats": 1})["winner"] == "a"


def test_proposal_passes_without_block_with_more_agree_than_disagree_and_quorum():
    def result(agree, disagree, block=0):
        ballots = [{"agree": 1}] * agree + [{"disagree": 1}] * disagree + [{"block": 1}] * block
        return tally.tally_proposal(PROPOSAL, ballots)

    assert proposal_passed(result(2, 1), voters=3, eligible=10, quorum_percent=0)
    assert not proposal_passed(result(2, 2), voters=4, eligible=10, quorum_percent=0)
    assert not proposal_passed(result(5, 0, block=1), voters=6, eligible=10, quorum_percent=0)
    # quorum 50%: 4 of 10 is not enough, 5 of 10 is
    assert not proposal_passed(result(4, 0), voters=4, eligible=10, quorum_percent=50)
    assert proposal_passed(result(5, 0), voters=5, eligible=10, quorum_percent=50)
