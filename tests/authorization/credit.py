"""Rows for mutual credit: networks, accounts, payments, reversals and payment requests (platform6/credit).

The world's network in each group is governed by the group's admins; the member and the admin hold an
account each; the member paid the admin once, and the admin asks the member to pay again. URLs name
the member's account.
"""

from . import LOGIN, by_privacy, same

# An account answers its holder and the network's admins, 404 to anyone else; network admins see every
# account but spend from none (403); only the payer answers a payment request, the payee gets 403
# (docs/api-credit.md). A network is seen by whoever sees its group; its directory and figures by the
# group's members and account holders. The admins of the governing group govern (404 where the group
# itself is secret, 403 where it is visible).
GOVERN = by_privacy((401, 403, 403, 200), (401, 403, 403, 200), (401, 404, 403, 200))
HOLDER_OR_NETWORK_ADMIN = same(401, 404, 200, 200)
HOLDER_ONLY = same(401, 404, 201, 403)
PAGE_HOLDER_OR_NETWORK_ADMIN = same(LOGIN, 404, 200, 200)
# A page action the service refuses as forbidden or not found answers 403/404, as the API does; any other
# refusal returns to the page with the reason (302).
#: network admins' page actions (limits, status, defaults, reversals) on the member's account
PAGE_NETWORK_ADMIN = same(LOGIN, 404, 403, 302)
#: the holder's (or payer's) own page action: network admins see the account but may not
PAGE_HOLDER_ONLY = same(LOGIN, 404, 302, 403)
#: a form that offers only the caller's own accounts (or administered groups) refuses others as invalid
PAGE_SIGNED_IN = same(LOGIN, 200, 200, 200)

EXPECTED = {
    # --- API: networks ----------------------------------------------------------------------------
    ("POST", "/api/v1/networks"): by_privacy((401, 403, 403, 201), (401, 403, 403, 201), (401, 404, 403, 201)),
    ("GET", "/api/v1/networks/<int:network_id>"): by_privacy(
        (200, 200, 200, 200), (200, 200, 200, 200), (404, 404, 200, 200)
    ),
    ("PATCH", "/api/v1/networks/<int:network_id>"): GOVERN,
    ("GET", "/api/v1/networks/<int:network_id>/accounts"): HOLDER_OR_NETWORK_ADMIN,
    ("POST", "/api/v1/networks/<int:network_id>/accounts"): by_privacy(
        (401, 403, 403, 201), (401, 403, 403, 201), (401, 404, 403, 201)
    ),
    ("GET", "/api/v1/networks/<int:network_id>/stats"): HOLDER_OR_NETWORK_ADMIN,
    # --- API: accounts ----------------------------------------------------------------------------
    ("GET", "/api/v1/accounts/<int:account_id>"): HOLDER_OR_NETWORK_ADMIN,
    ("PATCH", "/api/v1/accounts/<int:account_id>"): same(401, 404, 403, 200),  # limits: network admins
    ("GET", "/api/v1/accounts/<int:account_id>/transfers"): HOLDER_OR_NETWORK_ADMIN,
    ("GET", "/api/v1/accounts/<int:account_id>/statement.csv"): HOLDER_OR_NETWORK_ADMIN,
    # --- API: transfers and payment requests ------------------------------------------------------
    ("POST", "/api/v1/transfers"): HOLDER_ONLY,  # from the member's account
    ("GET", "/api/v1/transfers/<int:transfer_id>"): HOLDER_OR_NETWORK_ADMIN,
    ("POST", "/api/v1/transfers/<int:transfer_id>/reverse"): same(401, 404, 403, 201),
    ("GET", "/api/v1/payment-requests"): same(401, 200, 200, 200),
    ("POST", "/api/v1/payment-requests"): HOLDER_ONLY,  # into the member's account
    ("POST", "/api/v1/payment-requests/<int:request_id>/accept"): same(401, 404, 200, 403),
    ("POST", "/api/v1/payment-requests/<int:request_id>/decline"): same(401, 404, 200, 403),
    # what a payment from the member's account would cost: asked by who may pay from it
    ("GET", "/api/v1/fees/quote"): same(401, 404, 200, 403),
    # --- pages ------------------------------------------------------------------------------------
    ("GET", "/credit/"): PAGE_SIGNED_IN,
    ("GET", "/credit/networks/new"): PAGE_SIGNED_IN,
    ("POST", "/credit/networks/new"): same(LOGIN, 422, 422, 302),
    ("GET", "/credit/networks/<int:network_id>"): PAGE_HOLDER_OR_NETWORK_ADMIN,
    ("POST", "/credit/networks/<int:network_id>/defaults"): PAGE_NETWORK_ADMIN,
    ("GET", "/credit/networks/<int:network_id>/fees"): same(LOGIN, 404, 403, 200),
    ("POST", "/credit/networks/<int:network_id>/fees"): PAGE_NETWORK_ADMIN,
    ("GET", "/credit/networks/<int:network_id>/accounts"): PAGE_HOLDER_OR_NETWORK_ADMIN,
    ("GET", "/credit/networks/<int:network_id>/accounts/new"): same(LOGIN, 404, 403, 200),
    ("POST", "/credit/networks/<int:network_id>/accounts/new"): same(LOGIN, 404, 403, 302),
    ("GET", "/credit/accounts/<int:account_id>"): PAGE_HOLDER_OR_NETWORK_ADMIN,
    ("GET", "/credit/accounts/<int:account_id>/statement.csv"): PAGE_HOLDER_OR_NETWORK_ADMIN,
    ("POST", "/credit/accounts/<int:account_id>/limits"): PAGE_NETWORK_ADMIN,
    ("POST", "/credit/accounts/<int:account_id>/status/<any(active, frozen, closed):status>"): PAGE_NETWORK_ADMIN,
    ("POST", "/credit/accounts/<int:account_id>/warning"): PAGE_HOLDER_ONLY,
    ("GET", "/credit/pay"): PAGE_SIGNED_IN,
    ("POST", "/credit/pay"): same(LOGIN, 422, 200, 422),  # the member's answer asks them to confirm
    ("POST", "/credit/pay/confirm"): PAGE_HOLDER_ONLY,
    ("GET", "/credit/transfers/<int:transfer_id>"): PAGE_HOLDER_OR_NETWORK_ADMIN,
    ("POST", "/credit/transfers/<int:transfer_id>/reverse"): PAGE_NETWORK_ADMIN,
    ("GET", "/credit/requests"): PAGE_SIGNED_IN,
    ("GET", "/credit/requests/new"): PAGE_SIGNED_IN,
    ("POST", "/credit/requests/new"): same(LOGIN, 422, 302, 422),
    ("GET", "/credit/requests/<int:request_id>/accept"): same(LOGIN, 404, 200, 404),  # asks the payer only
    ("POST", "/credit/requests/<int:request_id>/<any(accept, decline):answer>"): PAGE_HOLDER_ONLY,  # the payer
}

BODIES = {
    ("POST", "/api/v1/networks"): lambda w, p, a: {
        "name": "Another network",
        "group_id": w.groups[p].id,
        "currency": {"code": "HRS", "name": "Hours"},
    },
    ("PATCH", "/api/v1/networks/<int:network_id>"): lambda w, p, a: {"default_credit_limit": 500},
    ("POST", "/api/v1/networks/<int:network_id>/accounts"): lambda w, p, a: {
        "holder": {"type": "user", "id": w.users["newcomer"].id},
        "kind": "individual",
    },
    ("PATCH", "/api/v1/accounts/<int:account_id>"): lambda w, p, a: {"credit_limit": 2000},
    ("POST", "/api/v1/transfers"): lambda w, p, a: {
        "from_account_id": w.credit(p).member_account,
        "to_account_id": w.credit(p).admin_account,
        "amount": 100,
        "description": "Eggs",
    },
    ("POST", "/api/v1/transfers/<int:transfer_id>/reverse"): lambda w, p, a: {"reason": "Paid twice"},
    ("POST", "/api/v1/payment-requests"): lambda w, p, a: {
        "from_account_id": w.credit(p).admin_account,
        "to_account_id": w.credit(p).member_account,
        "amount": 100,
        "description": "Eggs",
    },
    ("POST", "/credit/networks/new"): lambda w, p, a: {
        "name": "Another network",
        "group_id": w.groups[p].id,
        "currency_code": "HRS",
        "currency_name": "Hours",
        "currency_decimals": "2",
        "default_credit_limit": "0",
        "parent_id": "0",
        "exchange_rate": "1",
        "clearing_group_id": "0",
    },
    ("POST", "/credit/networks/<int:network_id>/defaults"): lambda w, p, a: {"default_credit_limit": "5.00"},
    ("POST", "/credit/networks/<int:network_id>/fees"): lambda w, p, a: {"transfer_percent": "0.5", "paid_by": "payer"},
    ("POST", "/credit/networks/<int:network_id>/accounts/new"): lambda w, p, a: {
        "holder_type": "user",
        "holder_handle": w.users["newcomer"].handle,
        "kind": "individual",
    },
    ("POST", "/credit/accounts/<int:account_id>/limits"): lambda w, p, a: {"credit_limit": "20.00"},
    ("POST", "/credit/accounts/<int:account_id>/warning"): lambda w, p, a: {"warning_percent": "20"},
    ("POST", "/credit/pay"): lambda w, p, a: {
        "from_account_id": str(w.credit(p).member_account),
        "to_account_id": str(w.credit(p).admin_account),
        "amount": "1.00",
        "description": "Eggs",
    },
    ("POST", "/credit/pay/confirm"): lambda w, p, a: {
        "from_account_id": str(w.credit(p).member_account),
        "to_account_id": str(w.credit(p).admin_account),
        "amount": "100",
        "description": "Eggs",
        "idempotency_key": f"matrix-{p}-{a}",
    },
    ("POST", "/credit/transfers/<int:transfer_id>/reverse"): lambda w, p, a: {"reason": "Paid twice"},
    ("POST", "/credit/requests/new"): lambda w, p, a: {
        "to_account_id": str(w.credit(p).member_account),
        "from_account_id": str(w.credit(p).admin_account),
        "amount": "1.00",
        "description": "Eggs",
        "expires_in_days": "14",
    },
}

QUERIES = {
    ("GET", "/api/v1/fees/quote"): lambda w, p, a: {
        "from_account_id": w.credit(p).member_account,
        "to_account_id": w.credit(p).admin_account,
        "amount": 100,
    },
}
