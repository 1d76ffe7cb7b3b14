"""Rows for the groups' own pages beyond the foundation: members, settings, join requests, invitations.

Admins run a group; members add members only where the group lets them (by default it does not). An
admin's page or action answers 403 to those who see the group (404 where it is secret); the member
list is content (404 to outsiders of a closed or secret group). A one-button action that succeeds
goes back to the page with 303.
"""

from . import LOGIN, by_privacy, content, same

ADMINS_PAGE = by_privacy((LOGIN, 403, 403, 200), (LOGIN, 403, 403, 200), (LOGIN, 404, 403, 200))
ADMINS_ACTION = by_privacy((LOGIN, 403, 403, 303), (LOGIN, 403, 403, 303), (LOGIN, 404, 403, 303))

EXPECTED = {
    ("GET", "/groups/<handle>/members"): content((200, 200, 200, 200), (404, 404, 200, 200)),
    ("POST", "/groups/<handle>/members"): content((LOGIN, 403, 403, 303), (LOGIN, 404, 403, 303)),
    ("POST", "/groups/<handle>/members/<int:user_id>/role"): ADMINS_ACTION,  # of the target
    ("POST", "/groups/<handle>/members/<int:user_id>/remove"): ADMINS_ACTION,
    ("GET", "/groups/<handle>/settings"): ADMINS_PAGE,
    ("POST", "/groups/<handle>/settings"): ADMINS_ACTION,
    ("GET", "/groups/<handle>/join-requests"): ADMINS_PAGE,
    ("POST", "/groups/<handle>/join-requests/<int:request_id>/<any(approve, decline):decision>"): ADMINS_ACTION,
    ("GET", "/groups/<handle>/invitations"): content((LOGIN, 403, 403, 200), (LOGIN, 404, 403, 200)),
    ("POST", "/groups/<handle>/invitations"): content((LOGIN, 403, 403, 200), (LOGIN, 404, 403, 200)),
    ("POST", "/groups/<handle>/invitations/<int:invitation_id>/revoke"): ADMINS_ACTION,
    # following: an open group's news is public; a closed or secret group cannot be followed (403)
    ("POST", "/groups/<handle>/follow"): by_privacy(
        (LOGIN, 303, 303, 303), (LOGIN, 403, 403, 403), (LOGIN, 404, 403, 403)
    ),
    ("POST", "/groups/<handle>/unfollow"): by_privacy(
        (LOGIN, 303, 303, 303), (LOGIN, 303, 303, 303), (LOGIN, 404, 303, 303)
    ),
    ("POST", "/api/v1/groups/<int:group_id>/follow"): by_privacy(
        (401, 200, 200, 200), (401, 403, 403, 403), (401, 404, 403, 403)
    ),
    ("DELETE", "/api/v1/groups/<int:group_id>/follow"): by_privacy(
        (401, 200, 200, 200), (401, 200, 200, 200), (401, 404, 200, 200)
    ),
    ("GET", "/api/v1/groups/<int:group_id>/followers"): by_privacy(
        (200, 200, 200, 200), (200, 200, 200, 200), (404, 404, 200, 200)
    ),
    # Explore lists open groups only, to anyone
    ("GET", "/explore"): same(200, 200, 200, 200),
    # an invitation link is authority by itself
    ("GET", "/invitations/<token>"): same(200, 200, 200, 200),
    ("POST", "/invitations/<token>"): same(LOGIN, 303, 303, 303),
}

BODIES = {
    ("POST", "/groups/<handle>/members"): lambda w, p, a: {"who": w.users["newcomer"].handle, "role": "member"},
    ("POST", "/groups/<handle>/members/<int:user_id>/role"): lambda w, p, a: {"role": "admin"},
    ("POST", "/groups/<handle>/settings"): lambda w, p, a: {
        "name": "Renamed",
        "description": "",
        "privacy": p,
        "members_can_start_discussions": "y",
        "members_can_raise_polls": "y",
    },
    ("POST", "/groups/<handle>/invitations"): lambda w, p, a: {"days": "7"},
}
