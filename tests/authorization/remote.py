"""Rows for paying across installations (platform6/federation: the member's remote transfers and the Credit Commons
transaction routes).

A remote transfer is paid from one's own account: the member (its holder) is refused only because the world's
network has no link to another installation (422 no_route); the network's admins see the account but may not spend
from it (403); anyone else does not see it (404). No payment has the random uuid asked for. The routes under /cc/
answer other servers, not people: without a neighbour's cc-node and last-hash nobody gets past 401.
"""

from . import same

PEERS_ONLY = same(401, 401, 401, 401)

EXPECTED = {
    ("POST", "/api/v1/remote-transfers"): same(401, 404, 422, 403),
    ("GET", "/api/v1/remote-transfers/<uuid>"): same(401, 404, 404, 404),
    ("GET", "/cc/<node>/"): PEERS_ONLY,
    ("GET", "/cc/<node>/handshake"): PEERS_ONLY,
    ("GET", "/cc/<node>/absolutepath"): PEERS_ONLY,
    ("GET", "/cc/<node>/about"): PEERS_ONLY,
    ("GET", "/cc/<node>/workflows"): PEERS_ONLY,
    ("POST", "/cc/<node>/transaction/relay"): PEERS_ONLY,
    ("PATCH", "/cc/<node>/transaction/<uuid>/<dest>"): PEERS_ONLY,
    ("GET", "/cc/<node>/transaction/<uuid>"): PEERS_ONLY,
    ("GET", "/cc/<node>/entries/<uuid>"): PEERS_ONLY,
    ("GET", "/cc/<node>/account/summary"): PEERS_ONLY,
}

BODIES = {
    ("POST", "/api/v1/remote-transfers"): lambda w, p, a: {
        "from_account_id": w.credit(p).member_account,
        "to": "ocn/leeds/bob",
        "amount": 1,
        "description": "",
    },
}
