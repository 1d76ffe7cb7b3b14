"""Thread rules at the service layer: counts on the row, positions, replies, edits, deletes, reactions, unread."""

import pytest

from platform6.errors import Conflict, Forbidden, NotFound, ValidationFailed
from platform6.extensions import db
from platform6.forums import service
from platform6.forums.models import CommentVersion
from platform6.notifications.models import Notification


def test_comments_count_and_last_activity_are_kept_on_the_thread_row(create_user, create_discussion, post_comment):
    author = create_user()
    discussion = create_discussion(author=author)
    started = discussion.last_activity_at
    first = post_comment(discussion, author, "one")
    post_comment(discussion, author, "two")
    db.session.refresh(discussion)
    assert discussion.comments_count == 2
    assert discussion.last_position == 2
    assert discussion.last_activity_at >= started
    service.delete_comment(actor=author, comment=first)
    db.session.commit()
    db.session.refresh(discussion)
    assert discussion.comments_count == 1
    assert discussion.last_position == 2


def test_a_reply_must_be_in_the_same_thread(create_user, create_group, create_discussion, post_comment):
    author = create_user()
    group = create_group(admin=author)
    one = create_discussion(group=group, author=author)
    two = create_discussion(group=group, author=author)
    comment = post_comment(one, author)
    with pytest.raises(NotFound):
        service.post_comment(actor=author, discussion=two, body="hi", parent_id=comment.id)
    reply = post_comment(one, author, "reply", parent=comment)
    assert reply.parent_id == comment.id


def test_closed_thread_refuses_comments_until_reopened(create_user, create_discussion, post_comment):
    author = create_user()
    discussion = create_discussion(author=author)
    service.update_discussion(actor=author, discussion=discussion, closed=True)
    db.session.commit()
    with pytest.raises(Conflict) as err:
        service.post_comment(actor=author, discussion=discussion, body="late")
    assert err.value.code == "discussion_closed"
    db.session.rollback()
    service.update_discussion(actor=author, discussion=discussion, closed=False)
    db.session.commit()
    assert post_comment(discussion, author, "back").position == 1


def test_only_members_comment_and_outsiders_of_closed_groups_get_not_found(
    create_user, create_group, create_discussion
):
    admin = create_user()
    discussion = create_discussion(group=create_group(admin=admin, privacy="closed"), author=admin)
    with pytest.raises(NotFound):
        service.post_comment(actor=create_user(), discussion=discussion, body="hello")
    open_thread = create_discussion(group=create_group(admin=admin, privacy="open"), author=admin)
    with pytest.raises(Forbidden):
        service.post_comment(actor=create_user(), discussion=open_thread, body="hello")


def test_edit_keeps_history_and_only_the_author_edits(create_user, create_group, create_discussion, post_comment):
    author, other = create_user(), create_user()
    group = create_group(admin=author, members=[other])
    discussion = create_discussion(group=group, author=author)
    comment = post_comment(discussion, other, "first words")
    with pytest.raises(Forbidden):
        service.edit_comment(actor=author, comment=comment, body="admin rewrite")
    service.edit_comment(actor=other, comment=comment, body="second words")
    db.session.commit()
    assert comment.edited_at is not None and comment.body == "second words"
    versions = db.session.scalars(db.select(CommentVersion).where(CommentVersion.comment_id == comment.id)).all()
    assert [v.body for v in versions] == ["first words"]


def test_delete_keeps_the_row_empty_so_replies_keep_their_place(
    create_user, create_group, create_discussion, post_comment
):
    author, other = create_user(), create_user()
    group = create_group(admin=author, members=[other])
    discussion = create_discussion(group=group, author=author)
    comment = post_comment(discussion, other, "secret plan")
    reply = post_comment(discussion, author, "reply", parent=comment)
    service.delete_comment(actor=author, comment=comment)  # an admin may delete
    db.session.commit()
    assert comment.deleted and comment.body == "" and comment.body_html == ""
    assert reply.parent_id == comment.id
    with pytest.raises(Conflict):
        service.edit_comment(actor=other, comment=comment, body="again")


def test_one_reaction_per_member_per_emoji(create_user, create_discussion, post_comment):
    author = create_user()
    discussion = create_discussion(author=author)
    comment = post_comment(discussion, author)
    service.add_reaction(actor=author, comment=comment, emoji="👍")
    db.session.commit()
    with pytest.raises(Conflict):
        service.add_reaction(actor=author, comment=comment, emoji="👍")
    db.session.rollback()
    for bad in ("", "abc", "<script>", "👍" * 20):
        with pytest.raises(ValidationFailed):
            service.add_reaction(actor=author, comment=comment, emoji=bad)
    service.remove_reaction(actor=author, comment=comment, emoji="👍")
    db.session.commit()
    with pytest.raises(NotFound):
        service.remove_reaction(actor=author, comment=comment, emoji="👍")


def test_mentions_and_replies_notify_members_only(create_user, create_group, create_discussion, post_comment):
    author, bob, outsider = create_user(handle="author1"), create_user(handle="bob"), create_user(handle="zed")
    group = create_group(admin=author, members=[bob])
    discussion = create_discussion(group=group, author=author)
    comment = post_comment(discussion, bob, "hi")
    post_comment(discussion, author, "@bob and @zed look", parent=comment)
    kinds = {(n.user_id, n.kind) for n in db.session.scalars(db.select(Notification))}
    assert (bob.id, "mention") in kinds
    assert (bob.id, "reply") not in kinds  # one notification, the mention
    assert not any(uid == outsider.id for uid, _ in kinds)
    assert (bob.id, "discussion_created") in kinds
