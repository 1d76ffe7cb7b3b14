"""A payment Komunitin booked before relaying it, which ends erased here (FEDERATION.md §3.3): recorded once per uuid,
its network's admins told once, reported by `flask credit verify`, listed and resolved by the admins only."""

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from platform6.credit.models import Account
from platform6.extensions import db
from platform6.federation import faults, recovery
from platform6.federation.models import CCTransaction, PeerDiscrepancy
from platform6.groups.models import Group
from platform6.groups.service import add_member
from platform6.notifications.models import Notification

from . import test_wire_in_process
from .test_wire_compatibility import body_of, fixture
from .test_wire_in_process import send

#: the Komunitin leaf kirklees and the P6 leaf leeds under ocn, as the in-process wire tests build them
fake_p6, ocn = test_wire_in_process.fake_p6, test_wire_in_process.ocn

CASE = fixture("komunitin/sent_by_komunitin.json")
UUID = json.loads(body_of(CASE))["uuid"]


def relay(client, payee=None):
    body = json.loads(body_of(CASE))
    if payee:
        body["entries"][0]["payee"] = payee
    return send(client, "POST", "/cc/ocn/transaction/relay", headers=CASE["headers"], body=json.dumps(body))


def discrepancies() -> list[PeerDiscrepancy]:
    return list(db.session.scalars(select(PeerDiscrepancy).order_by(PeerDiscrepancy.id)))


def alerts_to(user) -> list[str]:
    return list(
        db.session.scalars(
            select(Notification.text).where(
                Notification.user_id == user.id, Notification.kind == "federation_peer_discrepancy"
            )
        )
    )


def verify(app, *args):
    return app.test_cli_runner().invoke(args=["credit", "verify", *args])


def answer_with(fake, *, post=None, patch=None):
    """The downstream P6 (leeds) answers PATCHes with `patch` and anything else (relays, status questions) with
    `post`: (status, body), or an exception to raise (no answer)."""

    def call(method, url, **kw):
        fake.calls.append((method, url.split("/cc/", 1)[1]))
        wanted = patch if method == "PATCH" else post
        if isinstance(wanted, Exception):
            raise wanted
        status, body = wanted
        content = json.dumps(body).encode() if body is not None else b""
        return SimpleNamespace(status_code=status, content=content, text=content.decode())

    return call


@pytest.fixture
def member(ocn, create_user):
    """Someone in the network's group who is not an admin."""
    person = create_user()
    add_member(actor=ocn.network.admin, group=db.session.get(Group, ocn.network.group_id), user_id=person.id)
    db.session.commit()
    return person


# --- 1. recorded once, whenever a booked payment ends erased here -----------------------------------------------


def test_an_unknown_payee_records_what_komunitin_booked_once_and_tells_the_admins_once(client, ocn):
    refused = relay(client, payee="ocn/nobody")
    assert refused.status_code == 400
    (found,) = discrepancies()
    assert (found.uuid, found.amount, found.direction, found.reason) == (UUID, 1250, "incoming", "no_route")
    assert found.link_id == ocn.kirklees.id and found.payee_address == "ocn/nobody" and found.resolved_at is None
    (alert,) = alerts_to(ocn.network.admin)
    assert "kirklees" in alert and "12.50" in alert and "ocn/nobody" in alert

    assert relay(client, payee="ocn/nobody").status_code == 400  # Komunitin retries the same uuid
    assert len(discrepancies()) == 1 and len(alerts_to(ocn.network.admin)) == 1


def test_a_limit_here_records_a_discrepancy(client, ocn):
    kirklees_vostro = db.session.get(Account, ocn.kirklees.vostro_account_id)
    kirklees_vostro.credit_limit = 1000  # less than the 12.50 it sends
    db.session.commit()
    assert relay(client, payee="ocn/olive").status_code == 400
    (found,) = discrepancies()
    assert found.reason == "insufficient_credit"


def test_a_downstream_refusal_erases_and_records_in_the_same_step(client, ocn, monkeypatch):
    refusal = {"errors": [{"class": "MinLimitViolation", "node": "leeds", "message": "limit"}]}
    monkeypatch.setattr("platform6.federation.client._http.request", answer_with(ocn.fake, post=(400, refusal)))
    assert relay(client).status_code == 400
    row = db.session.scalar(select(CCTransaction))
    (found,) = discrepancies()
    assert row.state == "erased" and (found.uuid, found.reason, found.amount) == (row.uuid, "insufficient_credit", 1250)

    assert relay(client).status_code == 400  # a replay gets the stored answer and writes nothing more
    assert len(discrepancies()) == 1


def test_silence_that_ends_erased_records_it_when_recovery_erases(client, ocn, monkeypatch):
    import requests

    silent = answer_with(ocn.fake, post=(200, {"data": [], "meta": {"secs_valid_left": 200}}),
                         patch=requests.Timeout("no answer"))  # fmt: skip
    monkeypatch.setattr("platform6.federation.client._http.request", silent)
    assert relay(client).status_code == 503
    assert discrepancies() == []  # still completing: it may yet complete

    erased_there = {"data": {"uuid": UUID, "state": "E"}}  # leeds erased it (R2 asks its status)
    monkeypatch.setattr("platform6.federation.client._http.request", answer_with(ocn.fake, post=(200, erased_there)))
    row = db.session.scalar(select(CCTransaction))
    row.next_check_at = row.created_at
    db.session.commit()
    recovery.check_completing()
    db.session.expire_all()
    assert db.session.scalar(select(CCTransaction.state)) == "erased"
    (found,) = discrepancies()
    assert found.reason == "unfinished" and len(alerts_to(ocn.network.admin)) == 1


def test_a_completed_payment_records_nothing(client, ocn):
    assert relay(client).status_code == 201
    assert discrepancies() == [] and alerts_to(ocn.network.admin) == []


def test_a_flood_of_refused_relays_alerts_once_per_link_while_any_is_unresolved(client, ocn):
    body = json.loads(body_of(CASE))
    for n in range(3):
        body["uuid"] = f"9b2e5c1a-7d4f-4e8b-a3c6-0f1d2e3b4a5{n}"
        body["entries"][0]["payee"] = "ocn/nobody"
        send(client, "POST", "/cc/ocn/transaction/relay", headers=CASE["headers"], body=json.dumps(body))
    assert len(discrepancies()) == 3 and len(alerts_to(ocn.network.admin)) == 1


# --- 3. verify --------------------------------------------------------------------------------------------------


def test_verify_reports_each_unresolved_discrepancy_until_it_is_resolved(app, client, ocn, api):
    assert verify(app).exit_code == 0
    relay(client, payee="ocn/nobody")
    uuid = discrepancies()[0].uuid
    plain, with_peers, as_json = verify(app), verify(app, "--peers"), verify(app, "--json")
    assert plain.exit_code == 1 and uuid in plain.output
    assert with_peers.exit_code == 1 and uuid in with_peers.output
    assert as_json.exit_code == 1 and any(uuid in line for line in json.loads(as_json.stdout.splitlines()[0]))

    path = f"/networks/{ocn.network.id}/federation/discrepancies/{discrepancies()[0].id}/resolve"
    assert api.post(path, {"note": "Refunded in Komunitin"}, user=ocn.network.admin).status_code == 200
    assert verify(app).exit_code == 0


# --- 4. the page and the API: admins only -----------------------------------------------------------------------


def test_the_admin_sees_and_resolves_it_on_the_page_with_a_note(client, ocn, login):
    relay(client, payee="ocn/nobody")
    found = discrepancies()[0]
    login(ocn.network.admin)
    page = client.get(f"/credit/networks/{ocn.network.id}/federation").get_data(as_text=True)
    assert found.uuid in page and "ocn/nobody" in page
    action = f"/credit/networks/{ocn.network.id}/federation/discrepancies/{found.id}/resolve"
    empty = client.post(action, data={f"discrepancy-{found.id}-note": " "})
    assert empty.status_code == 422 and db.session.get(PeerDiscrepancy, found.id).resolved_at is None
    done = client.post(action, data={f"discrepancy-{found.id}-note": "Kirklees refunded its member"})
    assert done.status_code == 302
    db.session.expire_all()
    resolved = db.session.get(PeerDiscrepancy, found.id)
    assert resolved.resolved_by_id == ocn.network.admin.id and resolved.note == "Kirklees refunded its member"
    assert found.uuid not in client.get(f"/credit/networks/{ocn.network.id}/federation").get_data(as_text=True)


def test_a_member_neither_sees_nor_resolves_it(client, ocn, login, member, api):
    relay(client, payee="ocn/nobody")
    found = discrepancies()[0]
    login(member)
    assert client.get(f"/credit/networks/{ocn.network.id}/federation").status_code == 403
    action = f"/credit/networks/{ocn.network.id}/federation/discrepancies/{found.id}/resolve"
    assert client.post(action, data={f"discrepancy-{found.id}-note": "mine now"}).status_code == 403
    base = f"/networks/{ocn.network.id}/federation/discrepancies"
    listed = api.get(base, user=member)
    assert listed.status_code == 403 and listed.get_json()["error"]["code"] == "forbidden"
    assert api.post(f"{base}/{found.id}/resolve", {"note": "x"}, user=member).status_code == 403
    db.session.expire_all()
    assert db.session.get(PeerDiscrepancy, found.id).resolved_at is None


def test_the_resolve_form_needs_its_csrf_token(app, client, ocn, login):
    relay(client, payee="ocn/nobody")
    found = discrepancies()[0]
    login(ocn.network.admin)
    app.config["WTF_CSRF_ENABLED"] = True
    action = f"/credit/networks/{ocn.network.id}/federation/discrepancies/{found.id}/resolve"
    assert client.post(action, data={f"discrepancy-{found.id}-note": "forged"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(PeerDiscrepancy, found.id).resolved_at is None


def test_the_api_lists_pages_and_resolves_once(client, ocn, api, create_user):
    body = json.loads(body_of(CASE))
    for n in range(3):
        body["uuid"], body["entries"][0]["payee"] = f"9b2e5c1a-7d4f-4e8b-a3c6-0f1d2e3b4a5{n}", "ocn/nobody"
        send(client, "POST", "/cc/ocn/transaction/relay", headers=CASE["headers"], body=json.dumps(body))
    admin, base = ocn.network.admin, f"/networks/{ocn.network.id}/federation/discrepancies"
    first = api.get(f"{base}?limit=2", user=admin).get_json()
    rest = api.get(f"{base}?limit=2&cursor={first['next']}", user=admin).get_json()
    listed = first["items"] + rest["items"]
    assert [item["uuid"][-1] for item in listed] == ["2", "1", "0"] and rest["next"] is None
    assert listed[0]["amount"] == 1250 and listed[0]["reason"] == "no_route" and listed[0]["peer"] == "kirklees"

    one = listed[0]["id"]
    missing = api.post(f"{base}/{one}/resolve", {}, user=admin)
    assert missing.status_code == 422 and "note" in missing.get_json()["error"]["fields"]
    done = api.post(f"{base}/{one}/resolve", {"note": "Settled"}, user=admin)
    assert done.status_code == 200 and done.get_json()["resolved_by"] == admin.id
    again = api.post(f"{base}/{one}/resolve", {"note": "Settled"}, user=admin)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_resolved"
    assert len(api.get(base, user=admin).get_json()["items"]) == 2
    assert len(api.get(f"{base}?state=all", user=admin).get_json()["items"]) == 3
    assert api.get(f"{base}?state=bogus", user=admin).status_code == 422
    assert api.get(base, user=create_user()).status_code == 404  # a stranger does not learn the network exists


# --- fault points ----------------------------------------------------------------------------------------------


def test_a_mistyped_fault_point_is_refused_instead_of_skipped(monkeypatch):
    monkeypatch.setenv("FEDERATION_TEST_FAULTS", "relay.after_downstream_okay=crash")
    with pytest.raises(ValueError, match="no fault point"):
        faults.fault("relay.after_downstream_ok")
    monkeypatch.setenv("FEDERATION_TEST_FAULTS", "patch.on_arrival=sleep:soon")
    with pytest.raises(ValueError, match="neither crash nor sleep"):
        faults.fault("patch.before_answer")
    monkeypatch.setenv("FEDERATION_TEST_FAULTS", "patch.on_arrival=sleep:0")
    faults.fault("patch.on_arrival")  # a known point and action passes


def test_the_app_does_not_start_with_a_mistyped_fault_point(monkeypatch):
    from platform6 import create_app

    monkeypatch.setenv("FEDERATION_TEST_FAULTS", "patch.befor_answer=crash")
    with pytest.raises(ValueError, match="no fault point"):
        create_app({"TESTING": True})
