"""A binding proposal `set_fees`: the network's fees change when it passes, and not before."""

from platform6.credit.models import Network
from platform6.extensions import db

from .test_service import network, pass_and_close  # noqa: F401 - the network fixture

FEES = {
    "transfer": {"basis_points": 50, "fixed": 0, "min": None, "max": 100, "paid_by": "payer"},
    "periodic": [{"kind": "business", "amount": 1_000, "every": "year"}],
}


def fees_of(network_id):
    found = db.session.get(Network, network_id)
    return found.fees, found.operations_account_id


def test_a_passed_set_fees_proposal_sets_the_fees_at_close_only(api, raise_poll, group, people, network):  # noqa: F811
    action = {"type": "set_fees", "network_id": network.id, "fees": FEES}
    poll = raise_poll(group, people["ann"], title="Fees that keep the network running", action=action)
    assert poll["action"]["type"] == "set_fees" and poll["action"]["result"] is None
    assert fees_of(network.id) == (None, None)  # raised, voted on: nothing yet
    closed = pass_and_close(api, poll, [people["ann"], people["bob"]])
    assert closed["action"]["result"]["status"] == "applied", closed["action"]
    fees, operations_account_id = fees_of(network.id)
    assert fees == FEES and operations_account_id is not None
    shown = api.get(f"/networks/{network.id}", user=people["bob"]).get_json()
    assert shown["fees"] == FEES


def test_a_set_fees_proposal_that_does_not_pass_sets_nothing(api, raise_poll, vote, group, people, network):  # noqa: F811
    poll = raise_poll(group, people["ann"], action={"type": "set_fees", "network_id": network.id, "fees": FEES})
    vote(poll, people["bob"], {"agree": 1})
    vote(poll, people["cat"], {"block": 1})
    closed = api.post(f"/polls/{poll['id']}/close", user=people["ann"]).get_json()
    assert closed["action"]["result"]["status"] == "not_passed"
    assert fees_of(network.id) == (None, None)


def test_set_fees_is_checked_when_raised(api, group, people, network):  # noqa: F811
    bad = [
        {"type": "set_fees", "network_id": network.id},
        {"type": "set_fees", "network_id": network.id, "fees": {"transfer": {"basis_points": -5}}},
        {"type": "set_fees", "network_id": 999_999, "fees": FEES},
    ]
    for action in bad:
        body = {"kind": "proposal", "title": "Fees", "closing_at": "2099-01-01T00:00:00Z", "action": action}
        response = api.post(f"/groups/{group.id}/polls", body, user=people["ann"])
        assert response.status_code == 422, (action, response.get_json())
        assert "action" in response.get_json()["error"]["fields"]
