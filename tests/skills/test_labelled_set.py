"""The labelled matching set is big enough, and the ranking beats plain skill-overlap counting on it."""

from bench.bench_skills import quality
from tests.skills.labelled_set import generate, load


def test_the_set_has_30_requests_by_200_profiles_with_picks_marked():
    data = load()
    assert len(data["requests"]) >= 30 and len(data["profiles"]) >= 200
    assert all(request["picks"] for request in data["requests"])
    assert data == load() and generate()["requests"] == data["requests"]  # the shipped file is the generator's


def test_our_ranking_beats_plain_overlap_at_precision_5():
    figures = quality()
    assert figures["p@5 ours"] > figures["p@5 overlap"] + 0.2
