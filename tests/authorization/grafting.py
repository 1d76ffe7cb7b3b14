"""Rows for grafting (platform6/federation: grafting, its admin API, its pages, the P6 peer routes).

A network's federation is its governing group's admins' business: they see and change it (200), the group's
members are refused (403) and anyone else does not see the network at all (404). The world's network is the node
`node-<privacy>`, with a pending request from a leaf elsewhere and an active Komunitin leaf whose starting hash has
not been shown yet. The peer routes under /cc/ answer other servers, not people: nobody's session or token counts.
"""

from . import LOGIN, fresh, same

ADMINS = same(401, 404, 403, 200)
PAGE_ADMINS = same(LOGIN, 404, 403, 200)
#: a one-button page action: done (or refused with the reason) and back to the page
PAGE_ADMIN_ACTION = same(LOGIN, 404, 403, 302)

EXPECTED = {
    # --- API ----------------------------------------------------------------------------------------
    ("GET", "/api/v1/networks/<int:network_id>/federation"): ADMINS,
    ("PATCH", "/api/v1/networks/<int:network_id>/federation"): ADMINS,
    # the trunk is a P6 at an address nothing answers: the request is kept, to be sent again each minute
    ("POST", "/api/v1/networks/<int:network_id>/federation/trunkward"): same(401, 404, 403, 201),
    ("GET", "/api/v1/networks/<int:network_id>/federation/graft-requests"): ADMINS,
    # the network decides grafts by a binding proposal (the default): no direct approval, even for admins
    ("POST", "/api/v1/federation/graft-requests/<int:request_id>/<any(approve, decline):decision>"): same(
        401, 404, 403, 409
    ),
    ("PATCH", "/api/v1/federation/links/<int:link_id>"): ADMINS,
    ("POST", "/api/v1/federation/links/<int:link_id>/check"): ADMINS,
    # a Komunitin link has no secret to rotate
    ("POST", "/api/v1/federation/links/<int:link_id>/rotate-secret"): same(401, 404, 403, 409),
    ("POST", "/api/v1/federation/links/<int:link_id>/credentials"): ADMINS,
    ("GET", "/api/v1/networks/<int:network_id>/federation/discrepancies"): ADMINS,
    ("POST", "/api/v1/networks/<int:network_id>/federation/discrepancies/<int:discrepancy_id>/resolve"): ADMINS,
    # --- pages ----------------------------------------------------------------------------------------
    ("GET", "/credit/networks/<int:network_id>/federation"): PAGE_ADMINS,
    # the forms sent empty: shown again with what is missing
    ("POST", "/credit/networks/<int:network_id>/federation/name"): same(LOGIN, 404, 403, 422),
    ("POST", "/credit/networks/<int:network_id>/federation/trunkward"): same(LOGIN, 404, 403, 422),
    ("POST", "/credit/federation/links/<int:link_id>/check"): PAGE_ADMIN_ACTION,
    ("POST", "/credit/federation/links/<int:link_id>/status/<any(active, suspended):status>"): PAGE_ADMIN_ACTION,
    ("POST", "/credit/federation/links/<int:link_id>/rotate"): PAGE_ADMIN_ACTION,
    # the starting hash, on the answer to the one POST that reveals it
    ("POST", "/credit/federation/links/<int:link_id>/credentials"): PAGE_ADMINS,
    ("POST", "/credit/federation/graft-requests/<int:request_id>/<any(approve, decline):decision>"): PAGE_ADMIN_ACTION,
    # paying someone elsewhere: from one's own accounts (none here is linked: the empty form is refused)
    ("GET", "/credit/pay/remote"): same(LOGIN, 200, 200, 200),
    ("POST", "/credit/pay/remote"): same(LOGIN, 422, 422, 422),
    # the forms sent empty: no addresses (any may call), names not shared; a resolution needs its note
    ("POST", "/credit/federation/links/<int:link_id>/allowed-ips"): PAGE_ADMIN_ACTION,
    ("POST", "/credit/networks/<int:network_id>/federation/sharing"): PAGE_ADMIN_ACTION,
    ("POST", "/credit/networks/<int:network_id>/federation/discrepancies/<int:discrepancy_id>/resolve"): same(
        LOGIN, 404, 403, 422
    ),
    # --- peer routes: no person's rights apply ---------------------------------------------------------
    ("GET", "/cc/<node>/account"): same(401, 401, 401, 401),
    ("GET", "/cc/<node>/account/history"): same(401, 401, 401, 401),
    ("GET", "/cc/<node>/account/limits"): same(401, 401, 401, 401),
    ("GET", "/cc/<node>/account/names"): same(401, 401, 401, 401),
    # a graft request sent as a form is no JSON request: refused alike (the route's own tests send JSON)
    ("POST", "/cc/<node>/p6/graft-requests"): same(400, 400, 400, 400),
    ("POST", "/cc/<node>/p6/graft-requests/<int:request_id>/pickup"): same(404, 404, 404, 404),
    ("GET", "/cc/<node>/p6/link"): same(401, 401, 401, 401),
    ("POST", "/cc/<node>/p6/rotate"): same(401, 401, 401, 401),
}

BODIES = {
    ("PATCH", "/api/v1/networks/<int:network_id>/federation"): lambda w, p, a: {"node_name": fresh("node-")},
    ("POST", "/api/v1/networks/<int:network_id>/federation/trunkward"): lambda w, p, a: {
        "trunk_url": "https://trunk.invalid/cc/ocn/",  # never resolves: accepted when typed, never reached
        "node_name": fresh("leaf-"),
        "exchange_rate": "1",
    },
    ("PATCH", "/api/v1/federation/links/<int:link_id>"): lambda w, p, a: {"status": "suspended"},
    (
        "POST",
        "/api/v1/networks/<int:network_id>/federation/discrepancies/<int:discrepancy_id>/resolve",
    ): lambda w, p, a: {"note": "Paid back by hand."},
}
