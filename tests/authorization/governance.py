"""Rows for decisions: polls, votes, proxies, closing and outcomes (platform6/governance).

The world's polls in each group are the admin's (an open one, and a closed one for outcomes), so the
member is a voter but neither their author nor an admin.
"""

from datetime import timedelta

from platform6.timeutil import iso, utcnow

from . import LOGIN, content, same

# Anyone who may see the group's content sees its polls and (unhidden) results; voting members vote and
# name proxies; the author or admins close a poll and write its outcome (docs/api-governance.md). A page
# action the service refuses as forbidden or not found answers 403/404, as the API does.
READ = content((200, 200, 200, 200), (404, 404, 200, 200))
AUTHOR_OR_ADMIN = content((401, 403, 403, 200), (401, 404, 403, 200))
PAGE_AUTHOR_OR_ADMIN = content((LOGIN, 403, 403, 302), (LOGIN, 404, 403, 302))
#: a voting member's page action: the outsider is refused
PAGE_VOTER = content((LOGIN, 403, 302, 302), (LOGIN, 404, 302, 302))

EXPECTED = {
    # --- API --------------------------------------------------------------------------------------
    ("GET", "/api/v1/groups/<int:group_id>/polls"): READ,
    ("POST", "/api/v1/groups/<int:group_id>/polls"): content((401, 403, 201, 201), (401, 404, 201, 201)),
    ("GET", "/api/v1/polls/<int:poll_id>"): READ,
    ("POST", "/api/v1/polls/<int:poll_id>/votes"): content((401, 403, 201, 201), (401, 404, 201, 201)),
    ("GET", "/api/v1/polls/<int:poll_id>/votes"): READ,
    ("GET", "/api/v1/polls/<int:poll_id>/results"): READ,
    ("GET", "/api/v1/polls/<int:poll_id>/results.csv"): READ,
    ("GET", "/api/v1/polls/<int:poll_id>/my-vote"): content((401, 200, 200, 200), (401, 404, 200, 200)),
    ("PUT", "/api/v1/polls/<int:poll_id>/proxy"): content((401, 403, 200, 200), (401, 404, 200, 200)),
    # the member and the admin have a proxy to revoke; the outsider has none
    ("DELETE", "/api/v1/polls/<int:poll_id>/proxy"): content((401, 404, 204, 204), (401, 404, 204, 204)),
    ("POST", "/api/v1/polls/<int:poll_id>/close"): AUTHOR_OR_ADMIN,
    ("POST", "/api/v1/polls/<int:poll_id>/outcome"): AUTHOR_OR_ADMIN,
    ("POST", "/api/v1/polls/<int:poll_id>/cancel"): AUTHOR_OR_ADMIN,  # a binding proposal: admins only
    # --- pages ------------------------------------------------------------------------------------
    ("GET", "/decisions"): same(LOGIN, 200, 200, 200),
    ("GET", "/groups/<handle>/decisions"): READ,  # an open group's decisions are public
    ("GET", "/groups/<handle>/decisions/new"): content((LOGIN, 403, 200, 200), (LOGIN, 404, 200, 200)),
    ("POST", "/groups/<handle>/decisions/new"): content((LOGIN, 403, 302, 302), (LOGIN, 404, 302, 302)),
    ("GET", "/polls/<int:poll_id>"): READ,
    ("GET", "/polls/<int:poll_id>/results.csv"): READ,
    ("POST", "/polls/<int:poll_id>/vote"): PAGE_VOTER,
    ("POST", "/polls/<int:poll_id>/proxy"): PAGE_VOTER,
    # the member and the admin have a proxy to revoke; the outsider has none
    ("POST", "/polls/<int:poll_id>/proxy/revoke"): content((LOGIN, 404, 302, 302), (LOGIN, 404, 302, 302)),
    ("POST", "/polls/<int:poll_id>/close"): PAGE_AUTHOR_OR_ADMIN,
    ("POST", "/polls/<int:poll_id>/outcome"): PAGE_AUTHOR_OR_ADMIN,
    ("POST", "/polls/<int:poll_id>/cancel"): PAGE_AUTHOR_OR_ADMIN,
}


def _closing_at() -> str:
    return iso(utcnow() + timedelta(days=3))


BODIES = {
    ("POST", "/api/v1/groups/<int:group_id>/polls"): lambda w, p, a: {
        "kind": "proposal",
        "title": "Buy a second bike",
        "closing_at": _closing_at(),
    },
    ("POST", "/api/v1/polls/<int:poll_id>/votes"): lambda w, p, a: {"choices": {"agree": 1}},
    ("PUT", "/api/v1/polls/<int:poll_id>/proxy"): lambda w, p, a: {"proxy_id": w.users["target"].id},
    ("POST", "/api/v1/polls/<int:poll_id>/outcome"): lambda w, p, a: {"statement": "We paint it green."},
    ("POST", "/groups/<handle>/decisions/new"): lambda w, p, a: {
        "kind": "proposal",
        "title": "Buy a second bike",
        "closing_at": (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "reasons": "optional",
        "method": "borda",
        "action_role": "member",
    },
    ("POST", "/polls/<int:poll_id>/vote"): lambda w, p, a: {"choice": "agree"},
    ("POST", "/polls/<int:poll_id>/proxy"): lambda w, p, a: {"proxy_id": w.users["target"].id},
    ("POST", "/polls/<int:poll_id>/outcome"): lambda w, p, a: {"statement": "We paint it green."},
}

# (world, privacy) -> None, run before a route's four calls on each privacy
PREPARE = {
    ("DELETE", "/api/v1/polls/<int:poll_id>/proxy"): lambda w, p: w.proxies(p),
    ("POST", "/polls/<int:poll_id>/proxy/revoke"): lambda w, p: w.proxies(p),
}
