"""Rows for the skills board: profiles, requests, applications, invitations, saved searches (platform6/skills).

The world's request in each group is the admin's (so the member manages none of it); the member's
application to it, and the member's saved search, are built when a route names them.
"""

from . import LOGIN, by_privacy, content, same

# Anyone who may see the group's content sees its requests and may apply (not to their own); members
# post and see matches; the author or admins manage (docs/api-skills.md). A profile answers its owner,
# members of a shared group, and (if public) anyone signed in. A page action the service refuses as
# forbidden or not found answers 403/404, as the API does; any other refusal returns to the request page
# with the reason (302).
READ = content((200, 200, 200, 200), (404, 404, 200, 200))
MANAGE = content((401, 403, 403, 200), (401, 404, 403, 200))
PAGE_MANAGE = content((LOGIN, 403, 403, 302), (LOGIN, 404, 403, 302))
SIGNED_IN = same(401, 200, 200, 200)
PAGE_SIGNED_IN = same(LOGIN, 200, 200, 200)

EXPECTED = {
    # --- API: skills and profiles -----------------------------------------------------------------
    ("GET", "/api/v1/skills"): same(200, 200, 200, 200),
    ("GET", "/api/v1/me/profile"): SIGNED_IN,
    ("PUT", "/api/v1/me/profile"): SIGNED_IN,
    ("PUT", "/api/v1/me/skills"): SIGNED_IN,
    ("GET", "/api/v1/users/<int:user_id>/profile"): same(401, 404, 200, 200),  # the member's
    ("GET", "/api/v1/users/<int:user_id>/impact"): same(401, 404, 200, 200),
    # --- API: requests ----------------------------------------------------------------------------
    ("POST", "/api/v1/groups/<int:group_id>/requests"): content((401, 403, 201, 201), (401, 404, 201, 201)),
    ("GET", "/api/v1/requests"): same(200, 200, 200, 200),  # only what the caller may see
    ("GET", "/api/v1/requests/<int:request_id>"): READ,
    ("GET", "/api/v1/requests/<int:request_id>/matches"): content((401, 403, 200, 200), (401, 404, 200, 200)),
    ("GET", "/api/v1/me/matches"): SIGNED_IN,
    ("POST", "/api/v1/requests/<int:request_id>/cancel"): MANAGE,
    ("POST", "/api/v1/requests/<int:request_id>/complete"): MANAGE,
    ("POST", "/api/v1/requests/<int:request_id>/invitations"): content((401, 403, 403, 201), (401, 404, 403, 201)),
    # --- API: applications ------------------------------------------------------------------------
    # the admin wrote the request and cannot apply to it (422)
    ("POST", "/api/v1/requests/<int:request_id>/applications"): content((401, 201, 201, 422), (401, 404, 201, 422)),
    ("GET", "/api/v1/requests/<int:request_id>/applications"): MANAGE,
    ("GET", "/api/v1/me/applications"): SIGNED_IN,
    ("POST", "/api/v1/applications/<int:application_id>/accept"): MANAGE,  # the member's application
    ("POST", "/api/v1/applications/<int:application_id>/decline"): MANAGE,
    ("POST", "/api/v1/applications/<int:application_id>/withdraw"): same(401, 404, 200, 404),
    # --- API: saved searches, group settings, impact, directory -----------------------------------
    ("GET", "/api/v1/me/saved-searches"): SIGNED_IN,
    ("POST", "/api/v1/me/saved-searches"): content((401, 201, 201, 201), (401, 404, 201, 201)),  # in the group
    ("DELETE", "/api/v1/me/saved-searches/<int:search_id>"): same(401, 404, 204, 404),  # the member's
    # a group setting, like the group's record: hidden only with a secret group
    ("GET", "/api/v1/groups/<int:group_id>/skills-settings"): by_privacy(
        (200, 200, 200, 200), (200, 200, 200, 200), (404, 404, 200, 200)
    ),
    ("PUT", "/api/v1/groups/<int:group_id>/skills-settings"): by_privacy(
        (401, 403, 403, 200), (401, 403, 403, 200), (401, 404, 403, 200)
    ),
    ("GET", "/api/v1/groups/<int:group_id>/impact"): READ,
    ("GET", "/api/v1/directory"): same(200, 200, 200, 200),
    # --- pages: profiles and the board ------------------------------------------------------------
    ("GET", "/skills"): same(200, 200, 200, 200),
    ("GET", "/skills/directory"): same(200, 200, 200, 200),
    ("GET", "/skills/profile"): PAGE_SIGNED_IN,
    ("POST", "/skills/profile"): same(LOGIN, 302, 302, 302),
    ("GET", "/skills/onboarding"): PAGE_SIGNED_IN,
    ("POST", "/skills/onboarding"): same(LOGIN, 302, 302, 302),
    ("POST", "/skills/onboarding/skip"): same(LOGIN, 302, 302, 302),
    ("GET", "/skills/people/<int:user_id>"): same(LOGIN, 404, 200, 200),  # the member's
    ("POST", "/skills/searches"): same(LOGIN, 302, 302, 302),
    ("POST", "/skills/searches/<int:search_id>/delete"): same(LOGIN, 404, 302, 404),  # the member's
    ("GET", "/groups/<handle>/skills"): READ,  # an open group's board is public
    ("POST", "/groups/<handle>/skills"): by_privacy(
        (LOGIN, 403, 403, 302), (LOGIN, 404, 403, 302), (LOGIN, 404, 403, 302)
    ),
    # --- pages: requests and applications ---------------------------------------------------------
    ("GET", "/groups/<handle>/requests/new"): content((LOGIN, 403, 200, 200), (LOGIN, 404, 200, 200)),
    ("POST", "/groups/<handle>/requests/new"): content((LOGIN, 403, 302, 302), (LOGIN, 404, 302, 302)),
    ("GET", "/skills/requests/<int:request_id>"): READ,
    # the admin wrote the request and cannot apply to it: a rule, told on the page (302)
    ("POST", "/skills/requests/<int:request_id>/apply"): content((LOGIN, 302, 302, 302), (LOGIN, 404, 302, 302)),
    ("POST", "/skills/requests/<int:request_id>/invite/<int:user_id>"): PAGE_MANAGE,
    ("POST", "/skills/requests/<int:request_id>/cancel"): PAGE_MANAGE,
    ("POST", "/skills/requests/<int:request_id>/complete"): PAGE_MANAGE,
    ("POST", "/skills/applications/<int:application_id>/<any(accept, decline):decision>"): PAGE_MANAGE,
    ("POST", "/skills/applications/<int:application_id>/withdraw"): same(LOGIN, 404, 302, 404),  # the member's
    # the world's request has no reward, so no account is missing in its network (404); only its managers
    # (or the volunteer, for themselves) ask the network's admins, and credit decides who opens accounts
    ("POST", "/skills/requests/<int:request_id>/reward-account/<int:user_id>/open"): content(
        (LOGIN, 404, 404, 404), (LOGIN, 404, 404, 404)
    ),
    ("POST", "/skills/requests/<int:request_id>/reward-account/<int:user_id>/ask"): content(
        (LOGIN, 403, 403, 404), (LOGIN, 404, 403, 404)
    ),
}

_PROFILE_FORM = {"bio": "I edit video", "skills-0-name": "Video editing", "skills-0-level": "3", "remote_ok": "y"}

BODIES = {
    ("PUT", "/api/v1/me/profile"): lambda w, p, a: {"bio": "I edit video"},
    ("PUT", "/api/v1/me/skills"): lambda w, p, a: {"skills": [{"name": "Video editing", "level": 3}]},
    ("POST", "/api/v1/groups/<int:group_id>/requests"): lambda w, p, a: {
        "title": "Film our open day",
        "skills": [{"name": "Video editing"}],
    },
    ("POST", "/api/v1/requests/<int:request_id>/complete"): lambda w, p, a: {
        "volunteers": [{"user_id": w.users["member"].id, "hours": 2}]
    },
    ("POST", "/api/v1/requests/<int:request_id>/invitations"): lambda w, p, a: {"user_id": w.users["target"].id},
    ("POST", "/api/v1/requests/<int:request_id>/applications"): lambda w, p, a: {"message": "I can help"},
    ("POST", "/api/v1/me/saved-searches"): lambda w, p, a: {"q": "video", "group_id": w.groups[p].id},
    ("PUT", "/api/v1/groups/<int:group_id>/skills-settings"): lambda w, p, a: {"members_can_post_requests": False},
    ("POST", "/skills/profile"): lambda w, p, a: _PROFILE_FORM,
    ("POST", "/skills/onboarding"): lambda w, p, a: _PROFILE_FORM,
    ("POST", "/skills/searches"): lambda w, p, a: {"q": "video"},
    ("POST", "/groups/<handle>/skills"): lambda w, p, a: {"members_can_post_requests": "y"},
    ("POST", "/groups/<handle>/requests/new"): lambda w, p, a: {
        "title": "Film our open day",
        "skills-0-name": "Video editing",
        "skills-0-level": "2",
        "skills-0-required": "y",
        "volunteers_needed": "1",
        "remote_ok": "y",
    },
    ("POST", "/skills/requests/<int:request_id>/complete"): lambda w, p, a: {
        f"hours-{w.users['member'].id}": "2",
        f"done-{w.users['member'].id}": "y",
    },
}

PREPARE = {
    ("POST", "/api/v1/requests/<int:request_id>/complete"): lambda w, p: w.accepted_application(p),
    ("POST", "/skills/requests/<int:request_id>/complete"): lambda w, p: w.accepted_application(p),
}
