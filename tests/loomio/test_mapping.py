"""Loomio's values as ours: poll types and ballots, rich text with mentions, reactions, times."""

import pytest

from platform6.loomio.mapping import Mentions, Skip, ballot, emoji_for, parse_time, plan_poll, rich_text


def option(i, name, icon=None, priority=0):
    return {"id": i, "name": name, "icon": icon, "priority": priority}


def test_fixed_options_are_kept_only_when_they_are_exactly_ours_in_meaning_and_wording():
    consensus = [option(1, "Agree", "agree"), option(2, "abstain", "abstain", 1)]
    consensus += [option(3, "Disagree", "disagree", 2), option(4, "Block", "block", 3)]
    plan = plan_poll({"poll_type": "proposal", "stance_reason_required": "disabled"}, consensus)
    assert plan.kind == "proposal" and plan.names == {1: "agree", 2: "abstain", 3: "disagree", 4: "block"}
    assert plan.settings["reasons"] == "off" and plan.note is None
    check = plan_poll(
        {"poll_type": "check"},
        [option(1, "Looks good", "agree"), option(2, "Not sure", "abstain"), option(3, "Concerned", "disagree")],
    )
    assert check.kind == "check" and check.names == {1: "looks_good", 2: "not_sure", 3: "concerned"}


def test_other_proposal_wordings_keep_loomios_options_and_gain_no_block():
    consent = plan_poll(
        {"poll_type": "proposal"}, [option(2, "Objection", "disagree", 1), option(1, "Consent", "agree", 0)]
    )
    assert consent.kind == "poll" and consent.options == ["Consent", "Objection"] and "wording" in consent.note
    three = plan_poll(
        {"poll_type": "proposal"},
        [option(1, "Agree", "agree"), option(2, "Abstain", "abstain", 1), option(3, "Disagree", "disagree", 2)],
    )
    assert three.kind == "poll" and "Block" not in three.options and "block" not in three.options
    opt_in = plan_poll({"poll_type": "count"}, [option(1, "Accept", "agree"), option(2, "Decline", "disagree", 1)])
    assert opt_in.options == ["Accept", "Decline"]


def test_none_of_the_above_is_an_option_of_its_own():
    plan = plan_poll(
        {"poll_type": "poll", "show_none_of_the_above": True}, [option(1, "Tea"), option(2, "Coffee", priority=1)]
    )
    assert plan.options == ["Tea", "Coffee", "None of the above"]
    assert ballot(plan, [], none_of_the_above=True) == {"None of the above": 1}


def test_a_ranked_choice_score_becomes_a_rank():
    options = [option(1, "A"), option(2, "B", priority=1), option(3, "C", priority=2), option(4, "D", priority=3)]
    plan = plan_poll({"poll_type": "ranked_choice", "minimum_stance_choices": 3}, options)
    assert plan.settings["method"] == "borda" and plan.settings["places"] == 3
    choices = [{"poll_option_id": 1, "score": 1}, {"poll_option_id": 2, "score": 3}, {"poll_option_id": 3, "score": 2}]
    assert ballot(plan, choices) == {"A": 3, "B": 1, "C": 2}
    # Loomio's default number of choices is 2: a voter's first choice is score 2, the second score 1
    two = plan_poll({"poll_type": "ranked_choice"}, options)
    assert two.settings["places"] == 2
    assert ballot(two, [{"poll_option_id": 4, "score": 2}, {"poll_option_id": 1, "score": 1}]) == {"D": 1, "A": 2}


def test_an_stv_preference_position_is_the_rank():
    options = [option(1, "Ana"), option(2, "Ben", priority=1), option(3, "Chloe", priority=2)]
    plan = plan_poll({"poll_type": "stv", "stv_seats": 2}, options)
    assert plan.kind == "ranked_choice" and plan.settings["method"] == "stv" and plan.settings["seats"] == 2
    assert ballot(plan, [{"poll_option_id": 3, "score": 1}, {"poll_option_id": 1, "score": 2}]) == {
        "Chloe": 1,
        "Ana": 2,
    }


def test_what_does_not_fit_is_skipped_with_a_reason():
    with pytest.raises(Skip, match="no counterpart"):
        plan_poll({"poll_type": "sortition"}, [])
    with pytest.raises(Skip, match="not an ISO 8601"):
        plan_poll({"poll_type": "meeting"}, [option(1, "next Tuesday"), option(2, "2025-03-10")])
    meeting = plan_poll({"poll_type": "meeting"}, [option(1, "2025-03-10T18:00:00.000Z"), option(2, "2025-03-11")])
    assert meeting.options == ["2025-03-10T18:00:00Z", "2025-03-11T00:00:00Z"]
    with pytest.raises(Skip, match="Answer for every time"):
        ballot(meeting, [{"poll_option_id": 1, "score": 2}])
    with pytest.raises(Skip, match="an option the poll does not have"):
        ballot(meeting, [{"poll_option_id": 99, "score": 2}])
    with pytest.raises(Skip, match="fit the kind “Score”"):
        plan_poll({"poll_type": "score", "min_score": 5, "max_score": 5}, [option(1, "A"), option(2, "B")])


def test_rich_text_is_sanitised_and_mentions_point_at_imported_people():
    mentions = Mentions()
    mentions.add(loomio_id=7, username="AnaOrtiz", handle="ana")
    source, html = rich_text(
        '<p onclick="x()">Hi <span data-mention-id="anaortiz">@Ana</span> and <span data-mention-id="8">@Bo</span>'
        '</p><script>alert(1)</script><h2 id="plan">Plan</h2>',
        "html",
        mentions,
    )
    assert source == html
    assert html == (
        '<p>Hi <a href="/people/ana" class="mention" rel="nofollow noopener noreferrer">@ana</a> and @Bo</p><h2>Plan</h2>'
    )
    source, html = rich_text("Q&amp;A with @anaortiz and @bo &gt; soon", "md", mentions)
    assert source == "Q&A with @ana and &#64;bo > soon"
    assert 'href="/people/ana"' in html and "/people/bo" not in html
    assert rich_text("<p></p>", "html", mentions) == ("", "")
    assert rich_text(None, "md", mentions) == ("", "")


def test_reactions_and_times():
    assert emoji_for(":+1:") == emoji_for("+1") == "👍"
    assert emoji_for("🌻") == "🌻"
    with pytest.raises(Skip):
        emoji_for(":no_such_code:")
    assert parse_time("2025-03-03T22:05:44.318Z").isoformat() == "2025-03-03T22:05:44.318000"
    with pytest.raises(Skip):
        parse_time("yesterday")


def test_a_reaction_loomio_names_with_an_unknown_shortcode_is_reported_not_forced():
    assert emoji_for(":partying_face:") == "🥳"
    with pytest.raises(Skip, match="has no emoji here"):
        emoji_for(":blobcat_dance:")
