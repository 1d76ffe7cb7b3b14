"""A group file's threads, polls and requests go through their features' services, so the file is held to
the rules a live write keeps (one emoji, one outcome statement, each skill once), and what the file's
counts do not say is counted as the services count it."""

from sqlalchemy import select

from platform6.exports.restore import import_group
from platform6.extensions import db
from platform6.forums.models import Discussion
from platform6.skills.models import SkillRequest
from tests.exports.test_service import _refused


def test_a_reaction_that_is_not_an_emoji_is_refused(exported):
    data, root = exported
    comments = data["discussions"][0]["comments"]
    at = next(i for i, comment in enumerate(comments) if comment["reactions"])
    comments[at]["reactions"][0]["emoji"] = "lol"
    err = _refused(data, root)
    assert f"discussions.0.comments.{at}.reactions.0.emoji" in err.fields


def test_an_outcome_that_says_nothing_is_refused(exported):
    data, root = exported
    at = next(i for i, poll in enumerate(data["polls"]) if poll["outcome"])
    data["polls"][at]["outcome"]["statement"] = "   "
    err = _refused(data, root)
    assert f"polls.{at}.outcome.statement" in err.fields


def test_a_request_naming_one_skill_twice_is_refused(exported):
    data, root = exported
    data["requests"][0]["skills"].append({"name": "ELECTRICIAN", "level": 2, "required": False})
    err = _refused(data, root)
    assert "requests.0.skills" in err.fields


def test_counts_kept_on_parent_rows_follow_what_was_imported(exported):
    data, root = exported
    import_group(data=data, admin=root)
    thread = db.session.scalar(select(Discussion))
    comments = data["discussions"][0]["comments"]
    assert thread.last_position == len(comments)
    assert thread.comments_count == sum(1 for c in comments if c["deleted_at"] is None) == 2
    request = db.session.scalar(select(SkillRequest))
    assert request.accepted_count == 1 and request.state == "assigned"


def test_a_member_listed_twice_is_refused_where_the_file_repeats_them(exported):
    data, root = exported
    members = data["groups"][0]["members"]
    members.append(dict(members[-1]))
    err = _refused(data, root)
    assert f"groups.0.members.{len(members) - 1}.person" in err.fields


def test_a_second_vote_of_one_voter_is_refused_where_the_file_repeats_it(exported):
    data, root = exported
    at = next(i for i, poll in enumerate(data["polls"]) if poll["votes"])
    votes = data["polls"][at]["votes"]
    votes.append({**votes[0], "revisions": []})
    err = _refused(data, root)
    assert f"polls.{at}.votes.{len(votes) - 1}.voter" in err.fields
