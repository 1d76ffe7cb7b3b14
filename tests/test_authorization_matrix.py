"""The authorization matrix, generated from the app's own route map.

Every route (method + URL rule) is called by each of four people — anonymous, an outsider, a
member and an admin — on an open, a closed and a secret group, and must answer exactly the status
written in EXPECTED. A route missing from EXPECTED fails the suite ("unlisted route"), so a new
route cannot ship without someone deciding, in writing, who may call it.

Adding a route: add its line to EXPECTED, with `same(...)` when the group does not matter, else one
tuple per privacy; name how to fill its URL parameters in PARAMS (from the `world` the test builds;
extend `build_world` for a new kind of object) and, for writes, give a valid body in BODIES so the
answer shows the permission check and not a validation error.

Outcomes: an HTTP status, or LOGIN for a page's redirect to the sign-in page. Within one route the
four people call in the order anonymous, outsider, member, admin (each with its own session or
token), so a write that succeeds for the member has happened when the admin calls.
"""

import itertools
import re
from dataclasses import dataclass, field

import pytest

from platform6.accounts.service import create_token, password_reset_token
from platform6.extensions import db
from platform6.groups import service as groups
from platform6.groups.models import JoinRequest
from platform6.notifications.service import notify

ACTORS = ("anonymous", "outsider", "member", "admin")
PRIVACIES = ("open", "closed", "secret")
LOGIN = "login"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
NOWHERE = 2**40  # an id nothing has


def same(anonymous, outsider, member, admin) -> dict:
    """The same answers whatever the group's privacy (the route does not involve the group)."""
    return dict.fromkeys(PRIVACIES, (anonymous, outsider, member, admin))


def by_privacy(open_, closed, secret) -> dict:
    return {"open": open_, "closed": closed, "secret": secret}


# (method, rule) -> {privacy: (anonymous, outsider, member, admin)}
EXPECTED: dict[tuple[str, str], dict] = {
    # --- pages: front, people, dashboard -------------------------------------------------------
    ("GET", "/"): same(200, 302, 302, 302),
    ("GET", "/people/<handle>"): same(200, 200, 200, 200),  # the person is in the open group's public member list
    ("GET", "/dashboard"): same(LOGIN, 200, 200, 200),
    ("GET", "/healthz"): same(200, 200, 200, 200),
    # --- pages: accounts --------------------------------------------------------------------------
    ("GET", "/sign-up"): same(200, 302, 302, 302),  # signed-in people are sent on
    ("POST", "/sign-up"): same(302, 302, 302, 302),
    ("GET", "/sign-in"): same(200, 302, 302, 302),
    ("POST", "/sign-in"): same(302, 302, 302, 302),
    ("POST", "/sign-out"): same(302, 302, 302, 302),
    ("GET", "/forgot-password"): same(200, 200, 200, 200),
    ("POST", "/forgot-password"): same(302, 302, 302, 302),
    ("GET", "/reset-password/<token>"): same(200, 200, 200, 200),
    ("POST", "/reset-password/<token>"): same(302, 302, 302, 302),
    ("GET", "/settings"): same(LOGIN, 200, 200, 200),
    ("POST", "/settings"): same(LOGIN, 200, 200, 200),
    ("POST", "/settings/tokens/<int:token_id>/revoke"): same(LOGIN, 404, 302, 404),
    # --- pages: groups ----------------------------------------------------------------------------
    ("GET", "/groups"): same(200, 200, 200, 200),
    ("GET", "/groups/<handle>"): by_privacy((200, 200, 200, 200), (200, 200, 200, 200), (404, 404, 200, 200)),
    ("GET", "/groups/new"): by_privacy((LOGIN, 403, 403, 200), (LOGIN, 404, 403, 200), (LOGIN, 404, 403, 200)),
    ("POST", "/groups/new"): by_privacy((LOGIN, 403, 403, 302), (LOGIN, 404, 403, 302), (LOGIN, 404, 403, 302)),
    ("POST", "/groups/<handle>/join"): by_privacy(
        (LOGIN, 303, 303, 303), (LOGIN, 303, 303, 303), (LOGIN, 404, 303, 303)
    ),
    ("POST", "/groups/<handle>/leave"): by_privacy(
        (LOGIN, 404, 303, 303), (LOGIN, 404, 303, 303), (LOGIN, 404, 303, 303)
    ),
    # --- pages: notifications ---------------------------------------------------------------------
    ("GET", "/notifications"): same(LOGIN, 200, 200, 200),
    ("POST", "/notifications/read"): same(LOGIN, 302, 302, 302),
    # someone else's notification: back to one's own list, revealing nothing
    ("GET", "/notifications/<int:notification_id>"): same(LOGIN, 302, 302, 302),
    # --- API: accounts ----------------------------------------------------------------------------
    ("POST", "/api/v1/users"): same(201, 201, 201, 201),
    ("POST", "/api/v1/tokens"): same(201, 201, 201, 201),
    ("DELETE", "/api/v1/tokens/current"): same(401, 204, 204, 204),
    ("GET", "/api/v1/users/<int:user_id>"): same(401, 404, 200, 200),
    ("GET", "/api/v1/me"): same(401, 200, 200, 200),
    ("PATCH", "/api/v1/me"): same(401, 200, 200, 200),
    # --- API: groups ------------------------------------------------------------------------------
    ("POST", "/api/v1/groups"): by_privacy((401, 403, 403, 201), (401, 404, 403, 201), (401, 404, 403, 201)),
    ("GET", "/api/v1/groups/<int:group_id>"): by_privacy(
        (200, 200, 200, 200), (200, 200, 200, 200), (404, 404, 200, 200)
    ),
    ("PATCH", "/api/v1/groups/<int:group_id>"): by_privacy(
        (401, 403, 403, 200), (401, 403, 403, 200), (401, 404, 403, 200)
    ),
    ("GET", "/api/v1/groups/<int:group_id>/members"): by_privacy(
        (200, 200, 200, 200), (404, 404, 200, 200), (404, 404, 200, 200)
    ),
    ("POST", "/api/v1/groups/<int:group_id>/members"): by_privacy(
        (401, 403, 403, 201), (401, 404, 403, 201), (401, 404, 403, 201)
    ),
    ("PATCH", "/api/v1/groups/<int:group_id>/members/<int:user_id>"): by_privacy(
        (401, 403, 403, 200), (401, 403, 403, 200), (401, 404, 403, 200)
    ),
    ("DELETE", "/api/v1/groups/<int:group_id>/members/<int:user_id>"): by_privacy(
        (401, 403, 403, 204), (401, 403, 403, 204), (401, 404, 403, 204)
    ),
    ("POST", "/api/v1/groups/<int:group_id>/join"): by_privacy(
        (401, 201, 409, 409), (401, 202, 409, 409), (401, 404, 409, 409)
    ),
    ("GET", "/api/v1/groups/<int:group_id>/join-requests"): by_privacy(
        (401, 403, 403, 200), (401, 403, 403, 200), (401, 404, 403, 200)
    ),
    ("POST", "/api/v1/groups/<int:group_id>/join-requests/<int:request_id>/approve"): by_privacy(
        (401, 403, 403, 201), (401, 403, 403, 201), (401, 404, 403, 201)
    ),
    ("POST", "/api/v1/groups/<int:group_id>/join-requests/<int:request_id>/decline"): by_privacy(
        (401, 403, 403, 200), (401, 403, 403, 200), (401, 404, 403, 200)
    ),
    ("POST", "/api/v1/groups/<int:group_id>/invitations"): by_privacy(
        (401, 403, 403, 201), (401, 404, 403, 201), (401, 404, 403, 201)
    ),
    ("DELETE", "/api/v1/groups/<int:group_id>/invitations/<int:invitation_id>"): by_privacy(
        (401, 403, 403, 204), (401, 403, 403, 204), (401, 404, 403, 204)
    ),
    # an invitation link is authority by itself; accepting it again as a member answers the membership
    ("POST", "/api/v1/invitations/<token>/accept"): same(401, 201, 201, 201),
    # --- API: documentation ----------------------------------------------------------------------
    ("GET", "/api/v1/openapi.json"): same(200, 200, 200, 200),
    ("GET", "/api/docs"): same(200, 200, 200, 200),
    # --- API: notifications -----------------------------------------------------------------------
    ("GET", "/api/v1/notifications"): same(401, 200, 200, 200),
    ("POST", "/api/v1/notifications/read"): same(401, 200, 200, 200),
    # --- group export and import (issue 7): admins export their group; only site admins import ---
    ("GET", "/groups/<handle>/export"): by_privacy(
        (LOGIN, 403, 403, 200), (LOGIN, 403, 403, 200), (LOGIN, 404, 403, 200)
    ),
    ("GET", "/admin/import-group"): same(LOGIN, 403, 403, 403),
    ("POST", "/admin/import-group"): same(LOGIN, 403, 403, 403),
    ("GET", "/api/v1/groups/<int:group_id>/export"): by_privacy(
        (401, 403, 403, 200), (401, 403, 403, 200), (401, 404, 403, 200)
    ),
    ("POST", "/api/v1/group-imports"): same(401, 403, 403, 403),
}

_unique = itertools.count(1)


def _fresh(prefix: str) -> str:
    return f"{prefix}{next(_unique)}"


# Request bodies for writes: (world, privacy, actor) -> dict (JSON for the API, form data for pages).
BODIES = {
    ("POST", "/sign-up"): lambda w, p, a: {
        "name": "New",
        "email": f"{_fresh('new')}@example.org",
        "password": "long enough",
    },
    ("POST", "/sign-in"): lambda w, p, a: {"email": w.users["member"].email, "password": "correct horse"},
    ("POST", "/forgot-password"): lambda w, p, a: {"email": w.users["member"].email},
    ("POST", "/reset-password/<token>"): lambda w, p, a: {"new_password": "brand new one", "confirm": "brand new one"},
    ("POST", "/settings"): lambda w, p, a: {"form": "token", "token-name": "script"},
    ("POST", "/groups/new"): lambda w, p, a: {"name": _fresh("Sub "), "privacy": p},
    ("POST", "/api/v1/users"): lambda w, p, a: {
        "email": f"{_fresh('api')}@example.org",
        "name": "New",
        "password": "long enough",
    },
    ("POST", "/api/v1/tokens"): lambda w, p, a: {"email": w.users["member"].email, "password": "correct horse"},
    ("PATCH", "/api/v1/me"): lambda w, p, a: {"name": "Renamed"},
    ("POST", "/api/v1/groups"): lambda w, p, a: {"name": _fresh("Sub "), "privacy": p, "parent_id": w.groups[p].id},
    ("PATCH", "/api/v1/groups/<int:group_id>"): lambda w, p, a: {"description": "Changed"},
    ("POST", "/api/v1/groups/<int:group_id>/members"): lambda w, p, a: {"user_id": w.users["newcomer"].id},
    ("PATCH", "/api/v1/groups/<int:group_id>/members/<int:user_id>"): lambda w, p, a: {"role": "admin"},
    ("POST", "/api/v1/groups/<int:group_id>/invitations"): lambda w, p, a: {"days": 7},
    ("POST", "/api/v1/notifications/read"): lambda w, p, a: {"ids": []},
}

# Query strings: (world, privacy, actor) -> dict
QUERIES = {
    ("GET", "/groups/new"): lambda w, p, a: {"parent": w.groups[p].handle},
    ("POST", "/groups/new"): lambda w, p, a: {"parent": w.groups[p].handle},
}


@dataclass
class World:
    users: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    join_requests: dict = field(default_factory=dict)
    invitations: dict = field(default_factory=dict)
    invitation_tokens: dict = field(default_factory=dict)
    member_token_ids: dict = field(default_factory=dict)
    member_notification_id: int = 0


# URL parameter name -> (world, privacy, rule) -> value
PARAMS = {
    "handle": lambda w, p, rule: w.users["member"].handle if rule.startswith("/people/") else w.groups[p].handle,
    "group_id": lambda w, p, rule: w.groups[p].id,
    "user_id": lambda w, p, rule: w.users["member"].id if rule.startswith("/api/v1/users/") else w.users["target"].id,
    "request_id": lambda w, p, rule: w.join_requests[p],
    "invitation_id": lambda w, p, rule: w.invitations[p],
    # a reset link is authority by itself: whoever holds the member's link may use it
    "token": lambda w, p, rule: (
        w.invitation_tokens[p] if "invitations" in rule else password_reset_token(w.users["member"])
    ),
    "token_id": lambda w, p, rule: w.member_token_ids[p],
    "notification_id": lambda w, p, rule: w.member_notification_id,
}


def build_world(create_user, create_group) -> World:
    w = World()
    for role in ("admin", "member", "outsider", "target", "newcomer", "applicant"):
        w.users[role] = create_user(name=f"The {role}")
    admin, member = w.users["admin"], w.users["member"]
    for privacy in PRIVACIES:
        group = create_group(admin=admin, privacy=privacy, members=[member, w.users["target"]])
        w.groups[privacy] = group
        request = JoinRequest(group_id=group.id, user_id=w.users["applicant"].id, introduction="hello")
        db.session.add(request)
        db.session.flush()
        w.join_requests[privacy] = request.id
        invitation, token = groups.create_invitation(actor=admin, group=group)
        w.invitations[privacy] = invitation.id
        w.invitation_tokens[privacy] = token
    for privacy in PRIVACIES:  # one per privacy: the member revokes it on each round
        create_token(user=member, name="revocable")
        w.member_token_ids[privacy] = _last_token_id()
    (note,) = notify(user_ids=[member.id], kind="mention", url="/groups", text="hi", actor_id=admin.id)
    w.member_notification_id = note.id
    db.session.commit()
    return w


def _last_token_id() -> int:
    from sqlalchemy import func, select

    from platform6.accounts.models import ApiToken

    return db.session.scalar(select(func.max(ApiToken.id)))


# Routes merged from the feature branches on 2026-11-22 whose rows are still to be written (issue 7
# stays open until this set is empty). It may only shrink: a route added after it still fails as unlisted.
NOT_YET_LISTED: set[tuple[str, str]] = {
    ("GET", "/api/v1/accounts/<int:account_id>"),
    ("PATCH", "/api/v1/accounts/<int:account_id>"),
    ("GET", "/api/v1/accounts/<int:account_id>/statement.csv"),
    ("GET", "/api/v1/accounts/<int:account_id>/transfers"),
    ("POST", "/api/v1/applications/<int:application_id>/accept"),
    ("POST", "/api/v1/applications/<int:application_id>/decline"),
    ("POST", "/api/v1/applications/<int:application_id>/withdraw"),
    ("DELETE", "/api/v1/comments/<int:comment_id>"),
    ("GET", "/api/v1/comments/<int:comment_id>"),
    ("PATCH", "/api/v1/comments/<int:comment_id>"),
    ("POST", "/api/v1/comments/<int:comment_id>/reactions"),
    ("DELETE", "/api/v1/comments/<int:comment_id>/reactions/<path:emoji>"),
    ("GET", "/api/v1/comments/<int:comment_id>/versions"),
    ("GET", "/api/v1/directory"),
    ("GET", "/api/v1/discussions/<int:discussion_id>"),
    ("PATCH", "/api/v1/discussions/<int:discussion_id>"),
    ("GET", "/api/v1/discussions/<int:discussion_id>/comments"),
    ("POST", "/api/v1/discussions/<int:discussion_id>/comments"),
    ("POST", "/api/v1/discussions/<int:discussion_id>/move"),
    ("POST", "/api/v1/discussions/<int:discussion_id>/read"),
    ("POST", "/api/v1/discussions/read"),
    ("GET", "/api/v1/discussions/unread"),
    ("GET", "/api/v1/groups/<int:group_id>/discussions"),
    ("POST", "/api/v1/groups/<int:group_id>/discussions"),
    ("GET", "/api/v1/groups/<int:group_id>/impact"),
    ("GET", "/api/v1/groups/<int:group_id>/polls"),
    ("POST", "/api/v1/groups/<int:group_id>/polls"),
    ("POST", "/api/v1/groups/<int:group_id>/requests"),
    ("GET", "/api/v1/groups/<int:group_id>/skills-settings"),
    ("PUT", "/api/v1/groups/<int:group_id>/skills-settings"),
    ("PUT", "/api/v1/groups/<int:group_id>/volume"),
    ("GET", "/api/v1/me/applications"),
    ("GET", "/api/v1/me/matches"),
    ("GET", "/api/v1/me/profile"),
    ("PUT", "/api/v1/me/profile"),
    ("GET", "/api/v1/me/saved-searches"),
    ("POST", "/api/v1/me/saved-searches"),
    ("DELETE", "/api/v1/me/saved-searches/<int:search_id>"),
    ("PUT", "/api/v1/me/skills"),
    ("POST", "/api/v1/networks"),
    ("GET", "/api/v1/networks/<int:network_id>"),
    ("PATCH", "/api/v1/networks/<int:network_id>"),
    ("GET", "/api/v1/networks/<int:network_id>/accounts"),
    ("POST", "/api/v1/networks/<int:network_id>/accounts"),
    ("GET", "/api/v1/networks/<int:network_id>/stats"),
    ("GET", "/api/v1/payment-requests"),
    ("POST", "/api/v1/payment-requests"),
    ("POST", "/api/v1/payment-requests/<int:request_id>/accept"),
    ("POST", "/api/v1/payment-requests/<int:request_id>/decline"),
    ("GET", "/api/v1/polls/<int:poll_id>"),
    ("POST", "/api/v1/polls/<int:poll_id>/close"),
    ("GET", "/api/v1/polls/<int:poll_id>/my-vote"),
    ("POST", "/api/v1/polls/<int:poll_id>/outcome"),
    ("DELETE", "/api/v1/polls/<int:poll_id>/proxy"),
    ("PUT", "/api/v1/polls/<int:poll_id>/proxy"),
    ("GET", "/api/v1/polls/<int:poll_id>/results"),
    ("GET", "/api/v1/polls/<int:poll_id>/results.csv"),
    ("GET", "/api/v1/polls/<int:poll_id>/votes"),
    ("POST", "/api/v1/polls/<int:poll_id>/votes"),
    ("GET", "/api/v1/requests"),
    ("GET", "/api/v1/requests/<int:request_id>"),
    ("GET", "/api/v1/requests/<int:request_id>/applications"),
    ("POST", "/api/v1/requests/<int:request_id>/applications"),
    ("POST", "/api/v1/requests/<int:request_id>/cancel"),
    ("POST", "/api/v1/requests/<int:request_id>/complete"),
    ("POST", "/api/v1/requests/<int:request_id>/invitations"),
    ("GET", "/api/v1/requests/<int:request_id>/matches"),
    ("GET", "/api/v1/search"),
    ("GET", "/api/v1/skills"),
    ("POST", "/api/v1/transfers"),
    ("GET", "/api/v1/transfers/<int:transfer_id>"),
    ("POST", "/api/v1/transfers/<int:transfer_id>/reverse"),
    ("GET", "/api/v1/users/<int:user_id>/impact"),
    ("GET", "/api/v1/users/<int:user_id>/profile"),
    ("GET", "/comments/<int:comment_id>"),
    ("POST", "/comments/<int:comment_id>/delete"),
    ("GET", "/comments/<int:comment_id>/edit"),
    ("POST", "/comments/<int:comment_id>/edit"),
    ("GET", "/comments/<int:comment_id>/history"),
    ("POST", "/comments/<int:comment_id>/react"),
    ("GET", "/credit/"),
    ("GET", "/credit/accounts/<int:account_id>"),
    ("POST", "/credit/accounts/<int:account_id>/limits"),
    ("GET", "/credit/accounts/<int:account_id>/statement.csv"),
    ("POST", "/credit/accounts/<int:account_id>/status/<any(active, frozen, closed):status>"),
    ("POST", "/credit/accounts/<int:account_id>/warning"),
    ("GET", "/credit/networks/<int:network_id>"),
    ("GET", "/credit/networks/<int:network_id>/accounts"),
    ("GET", "/credit/networks/<int:network_id>/accounts/new"),
    ("POST", "/credit/networks/<int:network_id>/accounts/new"),
    ("POST", "/credit/networks/<int:network_id>/defaults"),
    ("GET", "/credit/networks/new"),
    ("POST", "/credit/networks/new"),
    ("GET", "/credit/pay"),
    ("POST", "/credit/pay"),
    ("GET", "/credit/requests"),
    ("POST", "/credit/requests/<int:request_id>/<any(accept, decline):answer>"),
    ("GET", "/credit/requests/new"),
    ("POST", "/credit/requests/new"),
    ("GET", "/credit/transfers/<int:transfer_id>"),
    ("POST", "/credit/transfers/<int:transfer_id>/reverse"),
    ("GET", "/d/<int:discussion_id>"),
    ("POST", "/d/<int:discussion_id>/close"),
    ("POST", "/d/<int:discussion_id>/comments"),
    ("GET", "/d/<int:discussion_id>/edit"),
    ("POST", "/d/<int:discussion_id>/edit"),
    ("GET", "/d/<int:discussion_id>/move"),
    ("POST", "/d/<int:discussion_id>/move"),
    ("POST", "/d/<int:discussion_id>/pin"),
    ("POST", "/d/<int:discussion_id>/reopen"),
    ("POST", "/d/<int:discussion_id>/unpin"),
    ("GET", "/d/<int:discussion_id>/unread"),
    ("GET", "/decisions"),
    ("GET", "/groups/<handle>/decisions"),
    ("GET", "/groups/<handle>/decisions/new"),
    ("POST", "/groups/<handle>/decisions/new"),
    ("GET", "/groups/<handle>/invitations"),
    ("POST", "/groups/<handle>/invitations"),
    ("POST", "/groups/<handle>/invitations/<int:invitation_id>/revoke"),
    ("GET", "/groups/<handle>/join-requests"),
    ("POST", "/groups/<handle>/join-requests/<int:request_id>/<any(approve, decline):decision>"),
    ("GET", "/groups/<handle>/members"),
    ("POST", "/groups/<handle>/members"),
    ("POST", "/groups/<handle>/members/<int:user_id>/remove"),
    ("POST", "/groups/<handle>/members/<int:user_id>/role"),
    ("GET", "/groups/<handle>/mentions"),
    ("GET", "/groups/<handle>/requests/new"),
    ("POST", "/groups/<handle>/requests/new"),
    ("GET", "/groups/<handle>/settings"),
    ("POST", "/groups/<handle>/settings"),
    ("GET", "/groups/<handle>/skills"),
    ("POST", "/groups/<handle>/skills"),
    ("GET", "/groups/<handle>/threads/new"),
    ("POST", "/groups/<handle>/threads/new"),
    ("POST", "/groups/<handle>/threads/read"),
    ("POST", "/groups/<handle>/volume"),
    ("GET", "/invitations/<token>"),
    ("POST", "/invitations/<token>"),
    ("GET", "/polls/<int:poll_id>"),
    ("POST", "/polls/<int:poll_id>/close"),
    ("POST", "/polls/<int:poll_id>/outcome"),
    ("POST", "/polls/<int:poll_id>/proxy"),
    ("POST", "/polls/<int:poll_id>/proxy/revoke"),
    ("GET", "/polls/<int:poll_id>/results.csv"),
    ("POST", "/polls/<int:poll_id>/vote"),
    ("GET", "/search"),
    ("GET", "/skills"),
    ("POST", "/skills/applications/<int:application_id>/<any(accept, decline):decision>"),
    ("POST", "/skills/applications/<int:application_id>/withdraw"),
    ("GET", "/skills/directory"),
    ("GET", "/skills/onboarding"),
    ("POST", "/skills/onboarding"),
    ("POST", "/skills/onboarding/skip"),
    ("GET", "/skills/people/<int:user_id>"),
    ("GET", "/skills/profile"),
    ("POST", "/skills/profile"),
    ("GET", "/skills/requests/<int:request_id>"),
    ("POST", "/skills/requests/<int:request_id>/apply"),
    ("POST", "/skills/requests/<int:request_id>/cancel"),
    ("POST", "/skills/requests/<int:request_id>/complete"),
    ("POST", "/skills/requests/<int:request_id>/invite/<int:user_id>"),
    ("POST", "/skills/searches"),
    ("POST", "/skills/searches/<int:search_id>/delete"),
    ("POST", "/threads/read"),
}


def route_map(app) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


PLACEHOLDER = re.compile(r"<(?:\w+:)?(\w+)>")


def fill(rule: str, world: World, privacy: str) -> str:
    return PLACEHOLDER.sub(lambda found: str(PARAMS[found.group(1)](world, privacy, rule)), rule)


def call(app, world: World, privacy: str, actor: str, method: str, rule: str):
    client = app.test_client()
    headers = {}
    if actor != "anonymous":
        user = world.users[actor]
        if rule.startswith("/api/"):
            headers["Authorization"] = f"Bearer {create_token(user=user)}"
            db.session.commit()
        else:
            with client.session_transaction() as session:
                session["_user_id"] = str(user.id)
                session["_fresh"] = True
    key = (method, rule)
    body = BODIES[key](world, privacy, actor) if key in BODIES else None
    query = QUERIES[key](world, privacy, actor) if key in QUERIES else None
    kwargs = {"json": body} if rule.startswith("/api/") else {"data": body}
    path = fill(rule, world, privacy)
    db.session.commit()  # the test's own session holds no transaction (SQLite would lock the request out)
    # A fresh app context per request, as in production: nothing cached in `g` (the signed-in user,
    # memberships) carries over from one person's request to the next.
    with app.app_context():
        response = client.open(path, method=method, query_string=query, headers=headers, **kwargs)
    db.session.expire_all()
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "/sign-in?next=" in location:
        return LOGIN
    return response.status_code


def test_every_route_is_listed(app):
    routes = route_map(app)
    unlisted = sorted(routes - EXPECTED.keys() - NOT_YET_LISTED)
    stale = sorted((EXPECTED.keys() | NOT_YET_LISTED) - routes)
    assert not EXPECTED.keys() & NOT_YET_LISTED, "a listed route is still in NOT_YET_LISTED: remove it there"
    assert not unlisted, f"unlisted route(s), add them to EXPECTED: {unlisted}"
    assert not stale, f"EXPECTED names routes that no longer exist: {stale}"


@pytest.mark.parametrize("route", sorted(EXPECTED), ids=lambda route: f"{route[0]} {route[1]}")
def test_route_answers_each_person_as_expected(app, create_user, create_group, route):
    method, rule = route
    for name in [key for key in app.config if key.startswith("RATELIMIT_") and isinstance(app.config[key], str)]:
        if name != "RATELIMIT_STORAGE_URI":
            app.config[name] = "10000/minute"  # the matrix is about permissions; limits have their own tests
    world = build_world(create_user, create_group)
    observed = {
        privacy: tuple(call(app, world, privacy, actor, method, rule) for actor in ACTORS) for privacy in PRIVACIES
    }
    assert observed == EXPECTED[route]
