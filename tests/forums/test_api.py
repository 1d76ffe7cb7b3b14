"""The API.md "Discussions and comments" contract, to the letter, and visibility through the API."""

import pytest

from platform6.extensions import db


@pytest.fixture
def world(create_user, create_group):
    alice, bob, carol = create_user(name="Alice", handle="alice"), create_user(handle="bob"), create_user()
    group = create_group(admin=alice, members=[bob], privacy="closed")
    return alice, bob, carol, group


def start(api, user, group, **body):
    body.setdefault("title", "Tools library")
    return api.post(f"/groups/{group.id}/discussions", body, user=user)


def test_discussion_fields_and_comment_fields_are_as_written(api, world):
    alice, bob, _, group = world
    response = start(api, alice, group, description="We *need* a shed")
    assert response.status_code == 201
    d = response.get_json()
    assert set(d) >= {
        "id", "group_id", "title", "description", "description_html", "author", "comments_count",
        "closed", "pinned", "created_at", "last_activity_at",
    }  # fmt: skip
    assert d["author"] == {"id": alice.id, "name": "Alice"}
    assert d["description_html"] == "<p>We <em>need</em> a shed</p>"
    assert d["comments_count"] == 0 and d["closed"] is False and d["pinned"] is False
    assert d["created_at"].endswith("Z")
    response = api.post(f"/discussions/{d['id']}/comments", {"body": "I have a saw"}, user=bob)
    assert response.status_code == 201
    c = response.get_json()
    assert set(c) >= {
        "id", "discussion_id", "parent_id", "author", "body", "body_html", "reactions", "created_at",
        "edited_at", "deleted",
    }  # fmt: skip
    assert c["parent_id"] is None and c["reactions"] == {} and c["edited_at"] is None and c["deleted"] is False
    assert api.get(f"/discussions/{d['id']}", user=bob).get_json()["comments_count"] == 1


def test_listing_is_pinned_first_then_latest_activity(api, world):
    alice, _, _, group = world
    ids = [start(api, alice, group, title=f"T{i}").get_json()["id"] for i in range(3)]
    api.post(f"/discussions/{ids[0]}/comments", {"body": "bump"}, user=alice)
    api.patch(f"/discussions/{ids[1]}", {"pinned": True}, user=alice)
    items = api.get(f"/groups/{group.id}/discussions", user=alice).get_json()["items"]
    assert [i["id"] for i in items] == [ids[1], ids[0], ids[2]]
    page = api.get(f"/groups/{group.id}/discussions?limit=2", user=alice).get_json()
    rest = api.get(f"/groups/{group.id}/discussions?limit=2&cursor={page['next']}", user=alice).get_json()
    assert [i["id"] for i in page["items"] + rest["items"]] == [ids[1], ids[0], ids[2]] and rest["next"] is None


def test_comments_list_oldest_first_with_replies_and_reactions(api, world):
    alice, bob, _, group = world
    did = start(api, alice, group).get_json()["id"]
    first = api.post(f"/discussions/{did}/comments", {"body": "one"}, user=alice).get_json()
    reply = api.post(f"/discussions/{did}/comments", {"body": "two", "parent_id": first["id"]}, user=bob).get_json()
    assert reply["parent_id"] == first["id"]
    assert api.post(f"/comments/{first['id']}/reactions", {"emoji": "👍"}, user=bob).status_code == 201
    again = api.post(f"/comments/{first['id']}/reactions", {"emoji": "👍"}, user=bob)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"
    api.post(f"/comments/{first['id']}/reactions", {"emoji": "👍"}, user=alice)
    items = api.get(f"/discussions/{did}/comments", user=bob).get_json()["items"]
    assert [i["body"] for i in items] == ["one", "two"]
    assert items[0]["reactions"] == {"👍": 2}
    assert api.delete(f"/comments/{first['id']}/reactions/👍", user=bob).status_code == 204
    assert api.get(f"/comments/{first['id']}", user=bob).get_json()["reactions"] == {"👍": 1}
    assert api.delete(f"/comments/{first['id']}/reactions/👍", user=bob).status_code == 404


def test_edit_sets_edited_at_and_only_the_author_may(api, world):
    alice, bob, _, group = world
    did = start(api, alice, group).get_json()["id"]
    cid = api.post(f"/discussions/{did}/comments", {"body": "draft"}, user=bob).get_json()["id"]
    assert api.patch(f"/comments/{cid}", {"body": "by admin"}, user=alice).status_code == 403
    edited = api.patch(f"/comments/{cid}", {"body": "final"}, user=bob)
    assert edited.status_code == 200 and edited.get_json()["edited_at"].endswith("Z")
    versions = api.get(f"/comments/{cid}/versions", user=bob).get_json()["items"]
    assert [v["body"] for v in versions] == ["draft"]


def test_delete_keeps_a_deleted_comment_with_empty_body(api, world):
    alice, bob, _, group = world
    did = start(api, alice, group).get_json()["id"]
    cid = api.post(f"/discussions/{did}/comments", {"body": "oops"}, user=bob).get_json()["id"]
    api.post(f"/discussions/{did}/comments", {"body": "reply", "parent_id": cid}, user=alice)
    assert api.delete(f"/comments/{cid}", user=alice).status_code == 204  # admins may
    items = api.get(f"/discussions/{did}/comments", user=bob).get_json()["items"]
    assert items[0]["deleted"] is True and items[0]["body"] == "" and items[0]["body_html"] == ""
    assert items[1]["parent_id"] == cid
    assert api.get(f"/discussions/{did}", user=bob).get_json()["comments_count"] == 1


def test_only_the_author_or_admins_delete(api, world, create_user):
    alice, bob, _, group = world
    dave = create_user()
    api.post(f"/groups/{group.id}/members", {"user_id": dave.id}, user=alice)
    did = start(api, alice, group).get_json()["id"]
    cid = api.post(f"/discussions/{did}/comments", {"body": "mine"}, user=bob).get_json()["id"]
    assert api.delete(f"/comments/{cid}", user=dave).status_code == 403


def test_closed_discussion_answers_409_discussion_closed(api, world):
    alice, bob, _, group = world
    did = start(api, alice, group).get_json()["id"]
    assert api.patch(f"/discussions/{did}", {"closed": True}, user=bob).status_code == 403
    assert api.patch(f"/discussions/{did}", {"closed": True}, user=alice).get_json()["closed"] is True
    response = api.post(f"/discussions/{did}/comments", {"body": "late"}, user=bob)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "discussion_closed"


def test_author_who_is_not_admin_may_patch_their_thread(api, world):
    _, bob, _, group = world
    did = start(api, bob, group).get_json()["id"]
    changed = api.patch(f"/discussions/{did}", {"title": "Better title", "description": "more"}, user=bob).get_json()
    assert changed["title"] == "Better title" and changed["description_html"] == "<p>more</p>"


def test_non_members_see_nothing_of_a_closed_group(api, world):
    alice, bob, carol, group = world
    did = start(api, alice, group, description="secret plans").get_json()["id"]
    cid = api.post(f"/discussions/{did}/comments", {"body": "the password is swordfish"}, user=bob).get_json()["id"]
    for path in (
        f"/groups/{group.id}/discussions",
        f"/discussions/{did}",
        f"/discussions/{did}/comments",
        f"/comments/{cid}",
        f"/comments/{cid}/versions",
    ):
        assert api.get(path, user=carol).status_code == 404, path
        assert api.get(path).status_code == 404, path
    assert api.post(f"/discussions/{did}/comments", {"body": "hi"}, user=carol).status_code == 404
    assert api.post(f"/comments/{cid}/reactions", {"emoji": "👍"}, user=carol).status_code == 404
    assert api.patch(f"/discussions/{did}", {"pinned": True}, user=carol).status_code == 404
    assert api.get("/search?q=swordfish", user=carol).get_json()["items"] == []
    assert api.get("/search?q=swordfish").get_json()["items"] == []
    assert api.get(f"/search?q=swordfish&group_id={group.id}", user=carol).status_code == 404
    assert [i["type"] for i in api.get("/search?q=swordfish", user=bob).get_json()["items"]] == ["comment"]


def test_open_group_threads_answer_anyone_but_only_members_write(api, create_user, create_group):
    alice, visitor = create_user(), create_user()
    group = create_group(admin=alice, privacy="open")
    did = start(api, alice, group).get_json()["id"]
    assert api.get(f"/discussions/{did}").status_code == 200
    assert api.get(f"/groups/{group.id}/discussions").get_json()["items"][0]["id"] == did
    assert api.post(f"/discussions/{did}/comments", {"body": "hi"}, user=visitor).status_code == 403
    assert api.post(f"/discussions/{did}/comments", {"body": "hi"}).status_code == 401


def test_mention_notifies_the_member_and_shows_in_notifications(api, world):
    alice, bob, carol, group = world
    did = start(api, alice, group).get_json()["id"]
    api.post(f"/discussions/{did}/comments", {"body": f"@bob and @{carol.handle}, thoughts?"}, user=alice)
    kinds = [n["kind"] for n in api.get("/notifications", user=bob).get_json()["items"]]
    assert kinds[:2] == ["mention", "discussion_created"]
    assert api.get("/notifications", user=carol).get_json()["items"] == []


def test_reply_notifies_the_parent_author(api, world):
    alice, bob, _, group = world
    did = start(api, alice, group).get_json()["id"]
    cid = api.post(f"/discussions/{did}/comments", {"body": "question"}, user=bob).get_json()["id"]
    api.post(f"/discussions/{did}/comments", {"body": "answer", "parent_id": cid}, user=alice)
    notes = api.get("/notifications", user=bob).get_json()["items"]
    assert notes[0]["kind"] == "reply" and notes[0]["url"] == f"/d/{did}#comment-{cid + 1}"


@pytest.mark.parametrize(
    "path,body",
    [
        ("/groups/{g}/discussions", {"title": ""}),
        ("/groups/{g}/discussions", {"title": 12}),
        ("/groups/{g}/discussions", {"title": "x" * 1000}),
        ("/groups/{g}/discussions", {}),
        ("/discussions/{d}/comments", {"body": ""}),
        ("/discussions/{d}/comments", {"body": "x", "parent_id": "1"}),
        ("/discussions/{d}/comments", {"body": "x", "parent_id": 2**53}),
        ("/discussions/{d}/comments", {"body": ["x"]}),
        ("/discussions/{d}/comments", {"body": "x" * 50000}),
        ("/comments/{c}/reactions", {"emoji": "smile"}),
        ("/comments/{c}/reactions", {"emoji": ""}),
        ("/comments/{c}/reactions", {}),
        ("/discussions/{d}/move", {"group_id": "x"}),
        ("/discussions/{d}/read", {"position": -1}),
    ],
)
def test_bad_input_answers_422(api, world, path, body):
    alice, _, _, group = world
    did = start(api, alice, group).get_json()["id"]
    cid = api.post(f"/discussions/{did}/comments", {"body": "c"}, user=alice).get_json()["id"]
    response = api.post(path.format(g=group.id, d=did, c=cid), body, user=alice)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["code"] == "validation_failed"


def test_malformed_requests_never_500(api, world):
    alice, _, _, group = world
    did = start(api, alice, group).get_json()["id"]
    assert api.post(f"/discussions/{did}/comments", data="{nope", user=alice,
                    headers={"Content-Type": "application/json"}).status_code == 400  # fmt: skip
    assert api.post(f"/discussions/{did}/comments", {"body": "x", "parent_id": 999}, user=alice).status_code == 404
    assert api.get("/discussions/99999999999999999999", user=alice).status_code == 404
    assert api.patch(f"/discussions/{did}", {"closed": "yes"}, user=alice).status_code == 422
    assert api.get(f"/discussions/{did}/comments?cursor=garbage", user=alice).status_code == 422
    assert api.get(f"/discussions/{did}/comments?limit=0", user=alice).status_code == 422
    for q in ("", "x" * 300):
        assert api.get(f"/search?q={q}", user=alice).status_code == 422
    for q in ('"', "a AND", "NEAR(", "*", "-x", "a:b", "'); drop table comments; --", "ünïcödé", "🎉"):
        assert api.get(f"/search?q={q}", user=alice).status_code == 200, q
    assert api.get("/search?q=a&group_id=abc", user=alice).status_code == 422
    assert api.get("/search?q=a&cursor=%%%", user=alice).status_code == 422
    assert api.get("/search?q=a&type=unknown", user=alice).status_code == 422
    assert api.delete("/comments/1/reactions/%F0%9F", user=alice).status_code in (404, 422)


def test_move_needs_admin_of_the_target_and_follows_into_search(api, world, create_group):
    alice, bob, carol, group = world
    target = create_group(admin=alice, members=[carol])
    did = start(api, alice, group, title="Moving thread").get_json()["id"]
    api.post(f"/discussions/{did}/comments", {"body": "hedgehog"}, user=alice)
    bobs = create_group(admin=bob)
    assert api.post(f"/discussions/{did}/move", {"group_id": bobs.id}, user=alice).status_code == 403
    moved = api.post(f"/discussions/{did}/move", {"group_id": target.id}, user=alice)
    assert moved.status_code == 200 and moved.get_json()["group_id"] == target.id
    assert len(api.get("/search?q=hedgehog", user=carol).get_json()["items"]) == 1
    assert api.get("/search?q=hedgehog", user=bob).get_json()["items"] == []


def test_unread_and_mark_read(api, world):
    alice, bob, _, group = world
    did = start(api, alice, group).get_json()["id"]
    for body in ("a", "b", "c"):
        api.post(f"/discussions/{did}/comments", {"body": body}, user=alice)
    unread = api.get("/discussions/unread", user=bob).get_json()["items"]
    assert unread[0]["id"] == did and unread[0]["first_unread_position"] == 1
    assert api.post(f"/discussions/{did}/read", {"position": 2}, user=bob).get_json()["unread"] == 1
    assert api.post("/discussions/read", {}, user=bob).get_json()["marked"] == 1
    assert api.get("/discussions/unread", user=bob).get_json()["items"] == []


def test_unread_threads_come_in_pages_latest_activity_first(api, world):
    alice, bob, _, group = world
    ids = [start(api, alice, group, title=f"Thread {n}").get_json()["id"] for n in range(5)]
    api.post(f"/discussions/{ids[1]}/comments", {"body": "news"}, user=alice)  # now the latest activity
    api.post(f"/discussions/{ids[3]}/read", {}, user=bob)  # read: not listed
    seen, cursor = [], ""
    while cursor is not None:
        page = api.get(f"/discussions/unread?limit=2{cursor and f'&cursor={cursor}'}", user=bob).get_json()
        assert len(page["items"]) <= 2
        seen += [(item["id"], item["unread"]) for item in page["items"]]
        cursor = page["next"]
    assert seen == [(ids[1], None), (ids[4], None), (ids[2], None), (ids[0], None)]  # never opened: unread null


def test_volume_mute_stops_notifications(api, world):
    alice, bob, _, group = world
    assert api.put(f"/groups/{group.id}/volume", {"volume": "mute"}, user=bob).get_json()["volume"] == "mute"
    assert api.put(f"/groups/{group.id}/volume", {"volume": "loud"}, user=bob).status_code == 422
    start(api, alice, group, description="@bob look")
    kinds = {n["kind"] for n in api.get("/notifications", user=bob).get_json()["items"]}
    assert not kinds & {"mention", "discussion_created"}


def test_search_finds_threads_and_comments_with_snippets(api, world):
    alice, bob, _, group = world
    did = start(api, alice, group, title="Solar panels for the hall", description="Quotes from installers").get_json()[
        "id"
    ]
    api.post(f"/discussions/{did}/comments", {"body": "The installers quoted £4,000 for solar"}, user=bob)
    items = api.get("/search?q=solar", user=bob).get_json()["items"]
    assert {i["type"] for i in items} == {"discussion", "comment"}
    assert all(set(i) >= {"type", "id", "title", "snippet"} for i in items)
    assert any("<mark>solar</mark>" in i["snippet_html"].lower() for i in items)
    assert api.get("/search?q=install", user=bob).get_json()["items"]  # the last word matches as a prefix
    assert api.get(f"/search?q=solar&group_id={group.id}&type=discussion", user=bob).get_json()["items"][0]["id"] == did
    db.session.expire_all()


def test_search_finds_the_few_visible_hits_among_many_hidden_ones(api, world, create_group, monkeypatch):
    from platform6 import search

    monkeypatch.setattr(search, "SQLITE_WINDOW_MAX", 250)  # reach the fallback that filters every match in SQL
    alice, _, carol, _ = world
    hidden = create_group(admin=alice)
    did = start(api, alice, hidden).get_json()["id"]
    for i in range(60):
        api.post(f"/discussions/{did}/comments", {"body": f"walnut tree {i}"}, user=alice)
    mine = create_group(admin=carol)
    visible = start(api, carol, mine, title="Walnut harvest").get_json()["id"]
    items = api.get("/search?q=walnut&limit=5", user=carol).get_json()["items"]
    assert [(i["type"], i["id"]) for i in items] == [("discussion", visible)]
    assert len(api.get("/search?q=walnut&limit=200", user=alice).get_json()["items"]) == 60  # not carol's


def test_comment_versions_page_like_every_list(api, world):
    """API.md's lists take `?limit=` and hand a `next` cursor to the following page."""
    alice, _, _, group = world
    did = start(api, alice, group).get_json()["id"]
    cid = api.post(f"/discussions/{did}/comments", {"body": "one"}, user=alice).get_json()["id"]
    for body in ("two", "three"):
        api.patch(f"/comments/{cid}", {"body": body}, user=alice)
    first = api.get(f"/comments/{cid}/versions?limit=1", user=alice).get_json()
    assert [v["body"] for v in first["items"]] == ["two"] and first["next"]
    rest = api.get(f"/comments/{cid}/versions?cursor={first['next']}", user=alice).get_json()
    assert [v["body"] for v in rest["items"]] == ["one"] and rest["next"] is None
