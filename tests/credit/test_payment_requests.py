"""API.md 1.1 Trust rules, payment requests: a request names a payer of the payee's network or one the caller may
see, else 404 exactly as for no account at all (so requests never tell who holds an account); rate limited."""

import pytest
from sqlalchemy import func, select

from platform6.credit.models import PaymentRequest
from platform6.extensions import db
from platform6.notifications.models import Notification

HIDDEN_OR_MISSING = "There is no account with this number that you can ask."


@pytest.fixture
def tree(create_user, create_group, make_network, open_account):
    """Bob and Alice hold accounts in the national network; Xena holds one in a local network under it, which
    Bob may not see. Bob also holds an account of his own in the local network."""
    admin = create_user(name="Admin")
    national = make_network(admin=admin, name="National")
    local = make_network(admin=admin, group=create_group(admin=admin), parent=national, name="Local")
    bob, alice, xena = create_user(name="Bob"), create_user(name="Alice"), create_user(name="Xena Hidden")
    return {
        "bob": bob,
        "alice": alice,
        "xena": xena,
        "bob_account": open_account(national, holder=bob),
        "alice_account": open_account(national, holder=alice),
        "bob_local": open_account(local, holder=bob),
        "xena_account": open_account(local, holder=xena),
    }


def _ask(api, tree, from_account_id, user=None):
    body = {"from_account_id": from_account_id, "to_account_id": tree["bob_account"].id, "amount": 100,
            "description": "Invoice"}  # fmt: skip
    return api.post("/payment-requests", body, user=user or tree["bob"])


def _requests_made() -> int:
    return db.session.scalar(select(func.count()).select_from(PaymentRequest))


def _told(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(Notification.user_id == user.id))


def test_asking_an_account_one_may_not_see_answers_as_for_no_account(api, tree):
    hidden = _ask(api, tree, tree["xena_account"].id)
    missing = _ask(api, tree, 999_999)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == missing.get_json()
    assert _requests_made() == 0 and _told(tree["xena"]) == 0
    assert _ask(api, tree, tree["alice_account"].id).status_code == 201  # the payee's own network
    assert _ask(api, tree, tree["bob_local"].id).status_code == 201  # another network, an account Bob may see
    assert _requests_made() == 2


def test_the_request_form_says_the_same_for_a_hidden_account_and_no_account(client, login, tree):
    login(tree["bob"])

    def ask(from_account_id):
        return client.post(
            "/credit/requests/new",
            data={"to_account_id": tree["bob_account"].id, "from_account_id": from_account_id, "amount": "1.00",
                  "description": "Invoice", "expires_in_days": 7},
        )  # fmt: skip

    for number in (tree["xena_account"].id, 999_999):
        page = ask(number)
        text = page.get_data(as_text=True)
        # the picker lists Xena among Local's accounts (Bob holds one there, so Local's directory shows her too);
        # the refusal itself names nobody
        assert page.status_code == 422 and HIDDEN_OR_MISSING in text
        assert "Xena" not in text.split('id="from_account_id-error"')[1]
    assert _requests_made() == 0
    assert "Xena" not in client.get("/credit/requests").get_data(as_text=True)
    assert ask(tree["alice_account"].id).status_code == 302


def test_requests_are_rate_limited_per_person(app, api, client, login, tree):
    app.config["RATELIMIT_PAYMENT_REQUESTS"] = "2/minute"
    answers = [_ask(api, tree, tree["alice_account"].id).status_code for _ in range(3)]
    assert answers == [201, 201, 429]
    assert _ask(api, tree, tree["alice_account"].id).get_json()["error"]["code"] == "rate_limited"
    login(tree["bob"])
    page = client.post(
        "/credit/requests/new",
        data={"to_account_id": tree["bob_account"].id, "from_account_id": tree["alice_account"].id,
              "amount": "1.00", "description": "Invoice", "expires_in_days": 7},
    )  # fmt: skip
    assert page.status_code == 429  # the form and the API spend one budget
    assert client.get("/credit/requests/new").status_code == 200  # showing the form is free
    body = {"from_account_id": tree["bob_account"].id, "to_account_id": tree["alice_account"].id, "amount": 100,
            "description": "Back to you"}  # fmt: skip
    assert api.post("/payment-requests", body, user=tree["alice"]).status_code == 201  # Alice has her own budget
    assert _requests_made() == 3
