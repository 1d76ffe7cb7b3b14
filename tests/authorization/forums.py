"""Rows for threads, comments, reactions, read state and search (platform6/forums).

The world's thread in each group is the member's, with the member's comment that the member and the
admin reacted to: the member may change the thread as its author, the admin as an admin. That another
member may not is in tests/forums/test_moderation.py.
"""

from . import LOGIN, PRIVACIES, by_privacy, content, fresh, same


def everywhere(status) -> dict:
    """One answer on an open, a closed and a secret group."""
    return dict.fromkeys(PRIVACIES, status)


# Who may do what (docs/api-forums.md): anyone who may see the group's content reads; members write;
# the author (while a member) or admins moderate; only the author edits a comment. A page action the
# service refuses as forbidden or not found answers 403/404, as the API does (platform6/web.py); any other
# refusal returns to the page with the reason (a flash, 302) or shows it on the form (422).
READ = content((200, 200, 200, 200), (404, 404, 200, 200))
PAGE_READ = READ
#: a member's page action (for moderation the member is the thread's author): the outsider is refused
PAGE_WRITE = content((LOGIN, 403, 302, 302), (LOGIN, 404, 302, 302))

EXPECTED = {
    # --- API: threads -----------------------------------------------------------------------------
    ("GET", "/api/v1/groups/<int:group_id>/discussions"): READ,
    ("POST", "/api/v1/groups/<int:group_id>/discussions"): content((401, 403, 201, 201), (401, 404, 201, 201)),
    ("GET", "/api/v1/discussions/<int:discussion_id>"): READ,
    ("PATCH", "/api/v1/discussions/<int:discussion_id>"): content((401, 403, 200, 200), (401, 404, 200, 200)),
    # the member is the author but admins no group to move to; the admin does
    ("POST", "/api/v1/discussions/<int:discussion_id>/move"): content((401, 403, 403, 200), (401, 404, 403, 200)),
    # one's own read state, on any thread one may read
    ("POST", "/api/v1/discussions/<int:discussion_id>/read"): content((401, 200, 200, 200), (401, 404, 200, 200)),
    ("POST", "/api/v1/discussions/read"): content((401, 403, 200, 200), (401, 404, 200, 200)),
    ("GET", "/api/v1/discussions/unread"): same(401, 200, 200, 200),
    ("PUT", "/api/v1/groups/<int:group_id>/volume"): content((401, 403, 200, 200), (401, 404, 200, 200)),
    ("GET", "/api/v1/groups/<int:group_id>/labels"): READ,
    ("POST", "/api/v1/groups/<int:group_id>/labels"): content((401, 403, 403, 201), (401, 404, 403, 201)),
    ("DELETE", "/api/v1/groups/<int:group_id>/labels/<path:name>"): content((401, 403, 403, 204), (401, 404, 403, 204)),
    # --- API: comments and reactions --------------------------------------------------------------
    ("GET", "/api/v1/discussions/<int:discussion_id>/comments"): READ,
    ("POST", "/api/v1/discussions/<int:discussion_id>/comments"): content((401, 403, 201, 201), (401, 404, 201, 201)),
    ("GET", "/api/v1/comments/<int:comment_id>"): READ,
    ("PATCH", "/api/v1/comments/<int:comment_id>"): content((401, 403, 200, 403), (401, 404, 200, 403)),
    ("GET", "/api/v1/comments/<int:comment_id>/versions"): READ,
    # deleting twice answers 204 both times (the admin comes after the member)
    ("DELETE", "/api/v1/comments/<int:comment_id>"): content((401, 403, 204, 204), (401, 404, 204, 204)),
    ("POST", "/api/v1/comments/<int:comment_id>/reactions"): content((401, 403, 201, 201), (401, 404, 201, 201)),
    # removes the caller's own reaction: the outsider has none
    ("DELETE", "/api/v1/comments/<int:comment_id>/reactions/<path:emoji>"): content(
        (401, 404, 204, 204), (401, 404, 204, 204)
    ),
    ("GET", "/api/v1/search"): READ,  # searched within the group
    # --- pages: threads ---------------------------------------------------------------------------
    ("GET", "/groups/<handle>/threads/new"): content((LOGIN, 403, 200, 200), (LOGIN, 404, 200, 200)),
    ("POST", "/groups/<handle>/threads/new"): content((LOGIN, 403, 302, 302), (LOGIN, 404, 302, 302)),
    ("GET", "/d/<int:discussion_id>"): PAGE_READ,  # an open group's threads are public
    ("GET", "/d/<int:discussion_id>/unread"): content((302, 302, 302, 302), (404, 404, 302, 302)),
    ("GET", "/d/<int:discussion_id>/edit"): content((LOGIN, 403, 200, 200), (LOGIN, 404, 200, 200)),
    ("POST", "/d/<int:discussion_id>/edit"): content((LOGIN, 403, 302, 302), (LOGIN, 404, 302, 302)),
    ("POST", "/d/<int:discussion_id>/close"): PAGE_WRITE,
    ("POST", "/d/<int:discussion_id>/reopen"): PAGE_WRITE,
    ("POST", "/d/<int:discussion_id>/pin"): PAGE_WRITE,
    ("POST", "/d/<int:discussion_id>/unpin"): PAGE_WRITE,
    # the move page lists the groups one administers: the member has none to offer
    ("GET", "/d/<int:discussion_id>/move"): content((LOGIN, 403, 200, 200), (LOGIN, 404, 200, 200)),
    ("POST", "/d/<int:discussion_id>/move"): content((LOGIN, 403, 422, 302), (LOGIN, 404, 422, 302)),
    ("POST", "/groups/<handle>/threads/read"): PAGE_WRITE,
    ("POST", "/threads/read"): same(LOGIN, 302, 302, 302),
    ("POST", "/groups/<handle>/volume"): PAGE_WRITE,
    # labels: anyone who reads the threads reads them; the group's admins make and delete them
    ("GET", "/groups/<handle>/labels"): content((LOGIN, 403, 403, 200), (LOGIN, 404, 403, 200)),
    ("POST", "/groups/<handle>/labels"): content((LOGIN, 403, 403, 302), (LOGIN, 404, 403, 302)),
    ("POST", "/groups/<handle>/labels/<path:name>/delete"): content((LOGIN, 403, 403, 302), (LOGIN, 404, 403, 302)),
    ("GET", "/groups/<handle>/mentions"): content((LOGIN, 403, 200, 200), (LOGIN, 404, 200, 200)),
    ("GET", "/search"): PAGE_READ,  # searched within the group
    # --- thread guests: the thread's author (the member) or an admin invites and removes them ------
    ("GET", "/api/v1/discussions/<int:discussion_id>/guests"): content((401, 403, 200, 200), (401, 404, 200, 200)),
    ("POST", "/api/v1/discussions/<int:discussion_id>/guests"): content((401, 403, 201, 201), (401, 404, 201, 201)),
    # the member removes the guest first; the admin then finds no guest to remove
    ("DELETE", "/api/v1/discussions/<int:discussion_id>/guests/<int:user_id>"): content(
        (401, 403, 204, 404), (401, 404, 204, 404)
    ),
    ("POST", "/d/<int:discussion_id>/guests"): PAGE_WRITE,
    ("POST", "/d/<int:discussion_id>/guests/<int:user_id>/remove"): content(
        (LOGIN, 403, 302, 404), (LOGIN, 404, 302, 404)
    ),
    # --- pages: comments --------------------------------------------------------------------------
    ("POST", "/d/<int:discussion_id>/comments"): PAGE_WRITE,
    ("GET", "/comments/<int:comment_id>"): PAGE_READ,
    ("GET", "/comments/<int:comment_id>/edit"): content((LOGIN, 403, 200, 403), (LOGIN, 404, 200, 403)),
    ("POST", "/comments/<int:comment_id>/edit"): content((LOGIN, 403, 302, 403), (LOGIN, 404, 302, 403)),
    ("GET", "/comments/<int:comment_id>/history"): PAGE_READ,
    ("POST", "/comments/<int:comment_id>/delete"): PAGE_WRITE,  # the member's comment; admins may delete any
    # the reactions to choose from, for members (where "React" leads without JavaScript)
    ("GET", "/comments/<int:comment_id>/react"): content((LOGIN, 403, 200, 200), (LOGIN, 404, 200, 200)),
    ("POST", "/comments/<int:comment_id>/react"): PAGE_WRITE,
}

BODIES = {
    ("POST", "/api/v1/groups/<int:group_id>/discussions"): lambda w, p, a: {"title": "A new thread"},
    ("PATCH", "/api/v1/discussions/<int:discussion_id>"): lambda w, p, a: {"title": "Renamed", "pinned": True},
    ("POST", "/api/v1/discussions/<int:discussion_id>/move"): lambda w, p, a: {"group_id": w.elsewhere()},
    ("POST", "/api/v1/discussions/read"): lambda w, p, a: {"group_id": w.groups[p].id},
    ("PUT", "/api/v1/groups/<int:group_id>/volume"): lambda w, p, a: {"volume": "app"},
    ("POST", "/api/v1/discussions/<int:discussion_id>/comments"): lambda w, p, a: {"body": "Yes!"},
    ("PATCH", "/api/v1/comments/<int:comment_id>"): lambda w, p, a: {"body": "Changed my mind"},
    ("POST", "/api/v1/comments/<int:comment_id>/reactions"): lambda w, p, a: {"emoji": "🎉"},
    ("POST", "/groups/<handle>/threads/new"): lambda w, p, a: {"title": "A new thread"},
    ("POST", "/d/<int:discussion_id>/edit"): lambda w, p, a: {"title": "Renamed"},
    ("POST", "/d/<int:discussion_id>/move"): lambda w, p, a: {"group_id": w.elsewhere()},
    ("POST", "/groups/<handle>/volume"): lambda w, p, a: {"volume": "app"},
    ("POST", "/api/v1/groups/<int:group_id>/labels"): lambda w, p, a: {"name": fresh("label")},
    ("POST", "/groups/<handle>/labels"): lambda w, p, a: {"name": fresh("label"), "colour": "teal"},
    ("POST", "/d/<int:discussion_id>/comments"): lambda w, p, a: {"body": "Yes!"},
    ("POST", "/comments/<int:comment_id>/edit"): lambda w, p, a: {"body": "Changed my mind"},
    ("POST", "/comments/<int:comment_id>/react"): lambda w, p, a: {"emoji": "🎉"},
    # a new person per caller, for each caller to invite
    ("POST", "/api/v1/discussions/<int:discussion_id>/guests"): lambda w, p, a: {"user_id": w.users[f"{a}'s guest"].id},
    ("POST", "/d/<int:discussion_id>/guests"): lambda w, p, a: {"email": w.users[f"{a}'s guest"].email},
}


# A guest of the world's thread (someone in no group, invited to the member's thread) on an open, a closed and
# a secret group: they read and take part in that thread as a member does, and see no more of the group than
# any outsider (tests/test_authorization_matrix.py calls these as `guest`).
GUEST = {
    ("GET", "/d/<int:discussion_id>"): everywhere(200),
    ("GET", "/d/<int:discussion_id>/unread"): everywhere(302),
    ("POST", "/d/<int:discussion_id>/comments"): everywhere(302),
    ("GET", "/comments/<int:comment_id>"): everywhere(200),
    ("GET", "/comments/<int:comment_id>/react"): everywhere(200),
    ("POST", "/comments/<int:comment_id>/react"): everywhere(302),
    ("GET", "/api/v1/discussions/<int:discussion_id>"): everywhere(200),
    ("GET", "/api/v1/discussions/<int:discussion_id>/comments"): everywhere(200),
    ("POST", "/api/v1/discussions/<int:discussion_id>/comments"): everywhere(201),
    ("POST", "/api/v1/comments/<int:comment_id>/reactions"): everywhere(201),
    ("POST", "/api/v1/discussions/<int:discussion_id>/read"): everywhere(200),
    # moderating the thread and choosing its guests stay with its author and the admins
    ("PATCH", "/api/v1/discussions/<int:discussion_id>"): everywhere(403),
    ("GET", "/api/v1/discussions/<int:discussion_id>/guests"): everywhere(403),
    ("POST", "/d/<int:discussion_id>/close"): everywhere(403),
    # the rest of the group: as for any outsider
    ("GET", "/groups/<handle>"): by_privacy(200, 200, 404),
    ("GET", "/api/v1/groups/<int:group_id>/discussions"): by_privacy(200, 404, 404),
    ("GET", "/api/v1/groups/<int:group_id>/members"): by_privacy(200, 404, 404),
    ("GET", "/groups/<handle>/threads/new"): by_privacy(403, 404, 404),
    ("GET", "/groups/<handle>/mentions"): by_privacy(403, 404, 404),
}

QUERIES = {
    ("GET", "/api/v1/search"): lambda w, p, a: {"q": "cargo", "group_id": w.groups[p].id},
    ("GET", "/search"): lambda w, p, a: {"q": "cargo", "group": w.groups[p].handle},
    ("GET", "/groups/<handle>/mentions"): lambda w, p, a: {"q": "the"},
}

PREPARE = {
    ("DELETE", "/api/v1/groups/<int:group_id>/labels/<path:name>"): lambda w, p: w.label(p),
    ("POST", "/groups/<handle>/labels/<path:name>/delete"): lambda w, p: w.label(p),
}
