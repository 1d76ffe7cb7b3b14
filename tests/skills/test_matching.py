"""The ranking function: pure, deterministic, in API.md's order, through the taxonomy layer."""

from platform6.skills.matching import PersonSpec, RequestSpec, Wanted, rank_people, score
from platform6.skills.service import split_reward
from platform6.skills.taxonomy import fold, taxonomy

T = taxonomy()


def req(*skills, **kw):
    wanted = tuple(Wanted(T.key_of(n), T.display_name(n), lvl, reqd) for n, lvl, reqd in skills)
    return RequestSpec(id=kw.pop("id", 1), skills=wanted, **kw)


def person(pid, skills, **kw):
    return PersonSpec(pid, {T.key_of(n): lvl for n, lvl in skills.items()}, **kw)


def test_names_fold_case_spaces_plurals_and_synonyms():
    assert T.key_of("  Video   EDITING ") == T.key_of("video editing") == T.key_of("Video editors")
    assert T.key_of("Sysadmin") == T.key_of("server administration")
    assert T.key_of("Spreadsheets") == T.key_of("spreadsheet")
    assert fold("Communities") == "community"
    assert T.display_name("mastodon instance") == "Mastodon"


def test_related_skills_count_partly_and_text_similarity_does_not():
    mastodon, fedi = T.key_of("Mastodon"), T.key_of("fediverse / self-hosting")
    assert T.similarity(mastodon, fedi) == 0.5
    assert T.similarity(T.key_of("software development"), T.key_of("childhood development")) == 0
    assert T.similarity(mastodon, mastodon) == 1


def test_everyone_with_all_required_skills_ranks_above_anyone_missing_one():
    r = req(("Video editing", 3, True), ("Italian", 2, True), ("Subtitling", 2, False))
    complete_but_plain = person(1, {"video editing": 3, "italian": 2})
    strong_but_missing = person(2, {"video editing": 5, "subtitles": 5}, languages=frozenset({"it"}), hours_per_week=40)
    ranked = rank_people(r, [strong_but_missing, complete_but_plain], T)
    assert [pid for pid, _ in ranked] == [1, 2]
    assert ranked[0][1].score >= 0.5 > ranked[1][1].score
    assert ranked[1][1].missing == ("Italian",)
    assert ranked[1][1].matched == ("Video editing", "Subtitling")


def test_a_level_below_the_one_asked_for_is_missing_and_scores_less():
    r = req(("Video editing", 4, True))
    low, high = score(r, person(1, {"video editing": 2}), T), score(r, person(2, {"video editing": 4}), T)
    assert low.missing == ("Video editing",) and low.partial == {"Video editing": "level 2 of 4"}
    assert high.matched == ("Video editing",) and high.score > low.score


def test_then_levels_nice_to_haves_language_place_availability_each_raise_the_score():
    r = req(("Mastodon", 2, True), ("Docker", 2, False), languages=frozenset({"it"}), remote_ok=False, location="Leeds")
    base = dict(skills={"mastodon": 2}, languages=frozenset({"en"}), location="York", remote_ok=True, hours_per_week=0)
    s0 = score(r, person(1, **base), T).score
    for change in (
        {"skills": {"mastodon": 4}},
        {"skills": {"mastodon": 2, "docker": 3}},
        {"languages": frozenset({"it"})},
        {"location": "leeds"},
        {"hours_per_week": 20},
    ):
        assert score(r, person(1, **{**base, **change}), T).score > s0, change


def test_a_related_skill_gives_partial_credit_but_does_not_complete():
    r = req(("Mastodon", 3, True))
    related = score(r, person(1, {"fediverse": 4}), T)
    unrelated = score(r, person(2, {"baking": 5}), T)
    assert not related.complete and related.score > unrelated.score
    assert related.partial == {"Mastodon": "Fediverse / self-hosting (related)"}


def test_ranking_is_deterministic_and_ties_go_to_the_lower_id():
    r = req(("Cooking", 2, True))
    people = [person(pid, {"cooking": 3}) for pid in (9, 3, 5)]
    assert [p for p, _ in rank_people(r, people, T)] == [3, 5, 9]
    assert rank_people(r, people, T) == rank_people(r, list(reversed(people)), T)


def test_scores_stay_within_0_and_1():
    r = req(("Cooking", 1, True), ("Baking", 1, False))
    best = score(r, person(1, {"cooking": 5, "baking": 5}, hours_per_week=100), T)
    assert 0 <= best.score <= 1


def test_reward_split_in_proportion_never_pays_more_than_the_total():
    assert split_reward(100, {1: 100, 2: 300}) == {1: 25, 2: 75}
    assert split_reward(100, {1: 0, 2: 0, 3: 0}) == {1: 34, 2: 33, 3: 33}
    assert split_reward(10, {1: 100, 2: 100, 3: 100}) == {1: 4, 2: 3, 3: 3}
    for total in (1, 7, 99, 1001):
        shares = split_reward(total, {1: 33, 2: 67, 3: 1})
        assert sum(shares.values()) == total and min(shares.values()) >= 0
