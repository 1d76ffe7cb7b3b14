"""Thread pages: what a member, an outsider and a signed-out visitor see and can do."""

from platform6.extensions import db
from platform6.forums import service
from platform6.forums.models import Comment, Discussion


def test_member_starts_a_thread_and_comments_from_the_pages(client, login, create_user, create_group):
    alice = create_user(name="Alice")
    group = create_group(admin=alice)
    login(alice)
    page = client.get(f"/groups/{group.handle}")
    assert "Start a thread" in page.get_data(as_text=True)
    response = client.post(
        f"/groups/{group.handle}/threads/new", data={"title": "Bike trailer", "description": "**Who** has one?"}
    )
    assert response.status_code == 302
    discussion = db.session.scalar(db.select(Discussion))
    response = client.post(f"/d/{discussion.id}/comments", data={"body": "I do"})
    assert response.status_code == 302
    html = client.get(f"/d/{discussion.id}").get_data(as_text=True)
    assert "<strong>Who</strong> has one?" in html and "I do" in html
    assert "Bike trailer" in client.get(f"/groups/{group.handle}").get_data(as_text=True)


def test_empty_comment_is_refused_on_the_form(client, login, create_user, create_discussion):
    alice = create_user()
    discussion = create_discussion(author=alice)
    login(alice)
    response = client.post(f"/d/{discussion.id}/comments", data={"body": "  "})
    assert response.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(Comment)) == 0


def test_outsider_gets_404_for_a_closed_groups_thread_and_comment(
    client, login, create_user, create_discussion, post_comment
):
    alice = create_user()
    discussion = create_discussion(author=alice, privacy="closed")
    comment = post_comment(discussion, alice, "private words")
    login(create_user())
    for url in (f"/d/{discussion.id}", f"/comments/{comment.id}", f"/comments/{comment.id}/history"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/d/{discussion.id}/comments", data={"body": "hi"}).status_code == 404
    assert "private" not in client.get("/search?q=private").get_data(as_text=True).split("</h2>", 1)[-1]


def test_public_thread_of_an_open_group_is_readable_signed_out(client, create_user, create_discussion, post_comment):
    alice = create_user()
    discussion = create_discussion(author=alice, privacy="open", title="Open forum")
    post_comment(discussion, alice, "hello world")
    html = client.get(f"/d/{discussion.id}").get_data(as_text=True)
    assert "hello world" in html and "Sign in</a> to take part" in html
    closed = create_discussion(author=alice, privacy="closed")
    assert client.get(f"/d/{closed.id}").status_code == 404


def test_unread_counts_jump_and_mark_all_read(
    client, login, create_user, create_group, create_discussion, post_comment
):
    alice, bob = create_user(), create_user()
    group = create_group(admin=alice, members=[bob])
    discussion = create_discussion(group=group, author=alice)
    login(bob)
    client.get(f"/d/{discussion.id}")  # bob has read it
    first = post_comment(discussion, alice, "one")
    post_comment(discussion, alice, "two")
    assert "2 new" in client.get(f"/groups/{group.handle}").get_data(as_text=True)
    assert "2 new" in client.get("/dashboard").get_data(as_text=True)
    jump = client.get(f"/d/{discussion.id}/unread")
    assert jump.headers["Location"].endswith("#unread")
    html = client.get(f"/d/{discussion.id}").get_data(as_text=True)
    assert html.index('id="unread"') < html.index(f'id="comment-{first.id}"') + 200
    assert "new</a>" not in client.get(f"/groups/{group.handle}").get_data(as_text=True)
    post_comment(discussion, alice, "three")
    client.post(f"/groups/{group.handle}/threads/read")
    assert "1 new" not in client.get(f"/groups/{group.handle}").get_data(as_text=True)


def test_moderation_close_pin_move_from_the_pages(client, login, create_user, create_group, create_discussion):
    alice, bob = create_user(), create_user()
    group = create_group(admin=alice, members=[bob])
    other = create_group(admin=alice)
    discussion = create_discussion(group=group, author=alice)
    login(bob)
    refused = client.post(f"/d/{discussion.id}/close")
    assert refused.status_code == 403  # a plain member who is not the author may not
    db.session.refresh(discussion)
    assert not discussion.closed
    client.get("/sign-out")
    login(alice)
    client.post(f"/d/{discussion.id}/close")
    client.post(f"/d/{discussion.id}/pin")
    db.session.refresh(discussion)
    assert discussion.closed and discussion.pinned
    assert "closed to new comments" in client.get(f"/d/{discussion.id}").get_data(as_text=True)
    response = client.post(f"/d/{discussion.id}/move", data={"group_id": other.id})
    assert response.status_code == 302
    db.session.refresh(discussion)
    assert discussion.group_id == other.id


def test_reactions_edit_history_and_delete_from_the_pages(client, login, create_user, create_discussion, post_comment):
    alice = create_user()
    discussion = create_discussion(author=alice)
    comment = post_comment(discussion, alice, "first text")
    login(alice)
    client.post(f"/comments/{comment.id}/react", data={"emoji": "🎉"})
    assert 'aria-pressed="true">🎉 <span>1</span>' in client.get(f"/d/{discussion.id}").get_data(as_text=True)
    client.post(f"/comments/{comment.id}/react", data={"unreact": "🎉"})
    assert "🎉 <span>1" not in client.get(f"/d/{discussion.id}").get_data(as_text=True)
    assert client.post(f"/comments/{comment.id}/edit", data={"body": "second text"}).status_code == 302
    history = client.get(f"/comments/{comment.id}/history").get_data(as_text=True)
    assert "first text" in history and "second text" in history
    client.post(f"/comments/{comment.id}/delete")
    html = client.get(f"/d/{discussion.id}").get_data(as_text=True)
    assert "This comment was deleted." in html and "second text" not in html


def test_deep_replies_fold_behind_show_more(client, create_user, create_discussion, post_comment):
    alice = create_user()
    discussion = create_discussion(author=alice, privacy="open")
    parent = None
    for i in range(7):
        parent = post_comment(discussion, alice, f"level {i}", parent=parent)
    html = client.get(f"/d/{discussion.id}").get_data(as_text=True)
    assert "level 6" in html and "more replies</summary>" in html


def test_mention_autocomplete_lists_members_only(client, login, create_user, create_group):
    alice = create_user(handle="alice")
    bob = create_user(name="Bobby", handle="bobby")
    create_user(handle="bobcat")
    group = create_group(admin=alice, members=[bob])
    login(alice)
    items = client.get(f"/groups/{group.handle}/mentions?q=bo").get_json()["items"]
    assert [i["handle"] for i in items] == ["bobby"]


def test_search_page_highlights_terms(client, login, create_user, create_discussion, post_comment):
    alice = create_user()
    discussion = create_discussion(author=alice, title="Allotment rota")
    post_comment(discussion, alice, "Is 3 < 4? The <b>compost</b> heap <script>alert(1)</script> needs turning")
    login(alice)
    html = client.get("/search?q=compost").get_data(as_text=True)
    assert "<mark>compost</mark>" in html and "3 &lt; 4" in html
    assert "alert" not in html


def test_thread_page_query_count_is_the_same_at_10_and_1000_comments(
    client, login, create_user, create_group, create_discussion, queries
):
    alice, bob = create_user(), create_user()
    group = create_group(admin=alice, members=[bob])
    discussion = create_discussion(group=group, author=alice)
    login(bob)

    def add(n):
        parent = None
        for i in range(n):
            comment = service.post_comment(
                actor=alice if i % 2 else bob, discussion=discussion, body=f"c{i}", parent_id=parent
            )
            if i % 3 == 0:
                service.add_reaction(actor=bob, comment=comment, emoji="👍")
            parent = comment.id if i % 4 else None
        db.session.commit()

    add(10)
    client.get(f"/d/{discussion.id}")
    with queries() as small:
        assert client.get(f"/d/{discussion.id}").status_code == 200
    add(990)
    client.get(f"/d/{discussion.id}")  # both measured visits find the thread read (no UPDATE of read state)
    with queries() as large:
        assert client.get(f"/d/{discussion.id}").status_code == 200
    assert len(small) == len(large)


def test_a_member_rereading_a_thread_writes_nothing_and_a_new_comment_is_marked_read_on_the_next_visit(
    client, login, create_user, create_group, create_discussion, post_comment, queries
):
    from platform6.forums.models import DiscussionReader

    alice, bob = create_user(), create_user()
    discussion = create_discussion(group=create_group(admin=alice, members=[bob]), author=alice)
    post_comment(discussion, alice, "first")
    login(bob)
    client.get(f"/d/{discussion.id}")
    with queries() as again:
        assert client.get(f"/d/{discussion.id}").status_code == 200
    statements = [s.split()[0].upper() for s in again if s.split()[0].upper() != "BEGIN"]
    assert set(statements) == {"SELECT"}  # no savepoint, no update: the thread was read to its end
    post_comment(discussion, alice, "second")
    client.get(f"/d/{discussion.id}")
    reader = db.session.query(DiscussionReader).filter_by(discussion_id=discussion.id, user_id=bob.id).one()
    db.session.refresh(reader)
    assert reader.last_read_position == discussion.last_position == 2


def test_timeline_sources_show_between_comments_by_time(app, client, create_user, create_discussion, post_comment):
    from datetime import timedelta

    from jinja2 import ChoiceLoader, DictLoader

    from platform6.forums import timeline

    alice = create_user()
    discussion = create_discussion(author=alice, privacy="open")
    early = post_comment(discussion, alice, "early comment")
    late = post_comment(discussion, alice, "late comment")
    late.created_at = early.created_at + timedelta(minutes=10)
    db.session.commit()
    app.jinja_env.loader = ChoiceLoader(
        [DictLoader({"test/_poll.html": "<p>POLL {{ item.context.title }}</p>"}), app.jinja_env.loader]
    )

    def polls(d, user):
        return [timeline.TimelineItem(early.created_at + timedelta(minutes=5), "test/_poll.html", {"title": "Lunch?"})]

    timeline.register_timeline_source(polls)
    try:
        html = client.get(f"/d/{discussion.id}").get_data(as_text=True)
    finally:
        timeline.TIMELINE_SOURCES.remove(polls)
    assert html.index("early comment") < html.index("POLL Lunch?") < html.index("late comment")


def test_thread_page_shows_an_edit_a_deletion_and_a_renamed_author_at_once(
    client, create_user, create_discussion, post_comment
):
    """Each comment's markup is reused between views (forums/comment_html.py): a change must show on the next one."""
    alice = create_user(name="Alice")
    discussion = create_discussion(author=alice, privacy="open")
    kept = post_comment(discussion, alice, "first words")
    doomed = post_comment(discussion, alice, "soon gone")
    html = client.get(f"/d/{discussion.id}").get_data(as_text=True)
    assert "first words" in html and "soon gone" in html and "<strong>Alice</strong>" in html
    service.edit_comment(actor=alice, comment=kept, body="second words")
    service.delete_comment(actor=alice, comment=doomed)
    alice.name = "Alice <B>"
    db.session.commit()
    html = client.get(f"/d/{discussion.id}").get_data(as_text=True)
    assert "second words" in html and "first words" not in html and "(edited)" in html
    assert "soon gone" not in html and "This comment was deleted." in html
    assert "<strong>Alice &lt;B&gt;</strong>" in html and "<strong>Alice</strong>" not in html


def test_every_comment_button_submits_the_pages_one_form(client, login, create_user, create_discussion, post_comment):
    alice = create_user()
    discussion = create_discussion(author=alice)
    comments = [post_comment(discussion, alice, f"Point {n}") for n in range(5)]
    service.add_reaction(actor=alice, comment=comments[0], emoji="👍")
    db.session.commit()
    login(alice)
    html = client.get(f"/d/{discussion.id}").get_data(as_text=True)
    comments_html = html[html.index('aria-label="Comments"') : html.index('id="comment-form"')]
    assert comments_html.count('name="csrf_token"') == 1 and comments_html.count("<form") == 1
    assert comments_html.count('id="react-choices"') == 1  # one picker for the page, not one a comment
    for c in comments:
        assert f'form="comment-action" formaction="/comments/{c.id}/delete"' in html
        assert f'href="/comments/{c.id}/react" data-react>React</a>' in html
    pressed = f'formaction="/comments/{comments[0].id}/react" class="reaction reaction-mine" name="unreact"'
    assert pressed in html


def test_without_javascript_react_leads_to_a_page_of_choices(
    client, login, create_user, create_discussion, post_comment
):
    alice, bob = create_user(), create_user(name="Bob")
    discussion = create_discussion(author=alice)
    comment = post_comment(discussion, alice, "Shall we meet on Friday?")
    login(alice)
    page = client.get(f"/comments/{comment.id}/react").get_data(as_text=True)
    assert "Shall we meet on Friday?" in page and 'aria-label="React with 🎉"' in page
    response = client.post(f"/comments/{comment.id}/react", data={"emoji": "🎉"})
    assert response.status_code == 302 and response.location.endswith(f"/d/{discussion.id}#comment-{comment.id}")
    page = client.get(f"/comments/{comment.id}/react").get_data(as_text=True)
    assert 'name="unreact" value="🎉" aria-pressed="true">🎉 <span>1</span>' in page  # pressed again, it is taken back
    client.post("/sign-out")
    login(bob)  # not a member of the group
    assert client.get(f"/comments/{comment.id}/react").status_code == 404


def test_signed_out_visitors_see_counts_but_no_controls(client, create_user, create_group, create_discussion,
                                                        post_comment):  # fmt: skip
    alice = create_user()
    discussion = create_discussion(group=create_group(admin=alice, privacy="open"), author=alice)
    comment = post_comment(discussion, alice, "Open to all")
    service.add_reaction(actor=alice, comment=comment, emoji="👍")
    db.session.commit()
    html = client.get(f"/d/{discussion.id}").get_data(as_text=True)
    assert '<button type="button" class="reaction" disabled>👍 <span>1</span></button>' in html
    assert "data-react>" not in html and 'id="comment-action"' not in html and 'name="csrf_token"' not in html


def test_a_never_opened_thread_and_a_half_read_one_are_marked_the_same_way(
    client, login, create_user, create_group, create_discussion, post_comment
):
    import re

    alice, bob = create_user(), create_user()
    group = create_group(admin=alice, members=[bob])
    never = create_discussion(group=group, author=alice, title="Never opened")
    half = create_discussion(group=group, author=alice, title="Half read")
    quiet = create_discussion(group=group, author=alice, title="Brand new")
    for body in ("one", "two", "three"):
        post_comment(never, alice, body)
    post_comment(half, alice, "old")
    login(bob)
    client.get(f"/d/{half.id}")
    client.get(f"/d/{quiet.id}")
    for body in ("new one", "new two", "new three"):
        post_comment(half, alice, body)
    silent = create_discussion(group=group, author=alice, title="Not a word yet")

    def row(html, discussion):
        return re.search(rf'<li class="thread-row[^"]*" data-thread-row="{discussion.id}">.*?</li>', html, re.S)[0]

    for page in (f"/groups/{group.handle}", "/dashboard"):
        html = client.get(page).get_data(as_text=True)
        for discussion in (never, half):
            shown = row(html, discussion)
            assert "thread-unread" in shown and f"<strong>{discussion.title}</strong>" in shown, page
            assert f'href="/d/{discussion.id}/unread">3 new</a>' in shown, page
        assert "thread-unread" not in row(html, quiet) and "<strong>" not in row(html, quiet)
        shown = row(html, silent)  # never opened, no comments: bold and "new", no count
        assert "<strong>" in shown and '<span class="tag tag-new">new</span>' in shown
