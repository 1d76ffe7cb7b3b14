"""API.md 1.1 Trust rules, rewards: they come from the request's own group's account, are paid by whoever
completes the request only if that person controls the account then, and nobody accepts their own application."""

import pytest
from sqlalchemy import func, select

from platform6.credit.models import Transfer
from platform6.extensions import db
from platform6.groups.service import set_role
from platform6.skills import queries
from platform6.skills.models import SkillRequest
from tests.skills.test_api import new_request

WANTED = {"title": "Fix the roof", "skills": [{"name": "Roofing", "level": 2}], "volunteers_needed": 1}


@pytest.fixture
def two_groups(create_user, create_group, make_network, open_account):
    """Pat administers Alpha and Beta; Bea administers only Beta; Vic is a member of Beta. Each group holds an
    account in one network, and everyone has an account of their own there."""
    pat, bea, vic = create_user(name="Pat"), create_user(name="Bea"), create_user(name="Vic")
    alpha = create_group(admin=pat, privacy="open", name="Alpha")
    beta = create_group(admin=pat, members=[bea, vic], privacy="open", name="Beta")
    set_role(actor=pat, group=beta, user_id=bea.id, role="admin")
    db.session.commit()
    network = make_network(admin=pat, group=alpha)
    pots = {g.name: open_account(network, group=g, credit_limit=100_00) for g in (alpha, beta)}
    own = {u.name: open_account(network, holder=u) for u in (pat, bea, vic)}
    return {"pat": pat, "bea": bea, "vic": vic, "alpha": alpha, "beta": beta, "pots": pots, "own": own}


def _transfers() -> int:
    return db.session.scalar(select(func.count()).select_from(Transfer))


def _accepted(api, rid, manager, volunteer) -> None:
    app_id = api.post(f"/requests/{rid}/applications", {}, user=volunteer).get_json()["id"]
    assert api.post(f"/applications/{app_id}/accept", user=manager).status_code == 200


def test_a_reward_comes_only_from_an_account_of_the_requests_own_group(api, client, login, two_groups):
    w = two_groups
    alpha_pot = w["pots"]["Alpha"].id
    refused = api.post(f"/groups/{w['beta'].id}/requests", WANTED | {"reward": {"account_id": alpha_pot, "amount": 500}},
                       user=w["pat"])  # fmt: skip
    assert refused.status_code == 422, refused.get_json()
    assert set(refused.get_json()["error"]["fields"]) == {"reward"}
    own = w["own"]["Pat"].id
    assert new_request(api, w["beta"], w["pat"], reward={"account_id": own, "amount": 5}).status_code == 422
    beta_pot = w["pots"]["Beta"].id
    assert new_request(api, w["beta"], w["pat"], reward={"account_id": beta_pot, "amount": 5}).status_code == 201

    login(w["pat"])
    form = client.get(f"/groups/{w['beta'].handle}/requests/new").get_data(as_text=True)
    assert f'<option value="{beta_pot}">Beta · ' in form and "Alpha · " not in form
    posted = client.post(
        f"/groups/{w['beta'].handle}/requests/new",
        data={"title": "Fix the roof", "skills-0-name": "Roofing", "skills-0-level": "2", "skills-0-required": "y",
              "volunteers_needed": "1", "reward_account_id": str(alpha_pot), "reward": "5"},
    )  # fmt: skip
    assert posted.status_code == 422 and "the request&#39;s own group" in posted.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SkillRequest)) == 1


def test_nobody_accepts_their_own_application(api, client, login, two_groups):
    w = two_groups
    rid = new_request(api, w["beta"], w["pat"]).get_json()["id"]
    own = api.post(f"/requests/{rid}/applications", {}, user=w["bea"]).get_json()["id"]
    assert api.post(f"/applications/{own}/accept", user=w["bea"]).status_code == 403
    assert api.get(f"/requests/{rid}", user=w["bea"]).get_json()["state"] == "open"

    login(w["bea"])
    page = client.get(f"/skills/requests/{rid}").get_data(as_text=True)
    assert "Accept Bea" not in page
    assert client.post(f"/skills/applications/{own}/accept").status_code == 403
    db.session.expire_all()
    assert queries.request_by_id(rid).state == "open"
    assert api.post(f"/applications/{own}/accept", user=w["pat"]).get_json()["state"] == "accepted"


def test_completing_pays_the_reward_only_as_someone_who_controls_its_account_then(api, client, login, two_groups):
    """Pat posts a rewarded request in Beta and is then made a plain member: he can no longer pay from Beta's
    account, so he cannot complete it (403, nothing paid); Bea, an admin of Beta, can."""
    w = two_groups
    pot = w["pots"]["Beta"]
    rid = new_request(api, w["beta"], w["pat"], reward={"account_id": pot.id, "amount": 900}).get_json()["id"]
    _accepted(api, rid, w["pat"], w["vic"])
    set_role(actor=w["bea"], group=w["beta"], user_id=w["pat"].id, role="member")
    db.session.commit()
    done = {"volunteers": [{"user_id": w["vic"].id, "hours": 2}]}
    refused = api.post(f"/requests/{rid}/complete", done, user=w["pat"])
    assert refused.status_code == 403, refused.get_json()
    login(w["pat"])
    complete_form = {f"done-{w['vic'].id}": "y", f"hours-{w['vic'].id}": "2"}
    page = client.get(f"/skills/requests/{rid}").get_data(as_text=True)
    assert "and pay the reward</button>" not in page and "Only someone who controls the reward" in page
    assert client.post(f"/skills/requests/{rid}/complete", data=complete_form).status_code == 403
    db.session.expire_all()
    assert queries.request_by_id(rid).state == "assigned" and _transfers() == 0 and pot.balance == 0

    paid = api.post(f"/requests/{rid}/complete", done, user=w["bea"])
    assert paid.status_code == 200, paid.get_json()
    db.session.expire_all()
    assert pot.balance == -900 and w["own"]["Vic"].balance == 900
    assert db.session.get(Transfer, paid.get_json()["transfers"][0]["id"]).created_by_id == w["bea"].id


def test_a_request_rewarded_from_another_groups_account_pays_nobody(api, two_groups):
    """The review's case, with a request stored before the rule (Beta's request naming Alpha's account): Bea,
    an admin of Beta only, is refused (403); Pat, who controls Alpha's account, is refused too (422 on reward)."""
    w = two_groups
    rid = new_request(api, w["beta"], w["pat"]).get_json()["id"]
    stored = db.session.get(SkillRequest, rid)
    stored.reward_account_id, stored.reward_amount = w["pots"]["Alpha"].id, 900
    db.session.commit()
    _accepted(api, rid, w["pat"], w["vic"])
    done = {"volunteers": [{"user_id": w["vic"].id, "hours": 1}]}
    assert api.post(f"/requests/{rid}/complete", done, user=w["bea"]).status_code == 403
    refused = api.post(f"/requests/{rid}/complete", done, user=w["pat"])
    assert refused.status_code == 422 and set(refused.get_json()["error"]["fields"]) == {"reward"}
    db.session.expire_all()
    assert _transfers() == 0 and w["pots"]["Alpha"].balance == 0
    assert queries.request_by_id(rid).state == "assigned"
