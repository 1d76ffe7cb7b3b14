"""Payments across three installations (FEDERATION.md §6), each a real gunicorn process: a member of K's employee
network pays a member of L through the trunk N; then the faults — N killed in phase 1 and in phase 2, a downstream
that times out, a replayed relay, a forged hash, a leaf relaying beyond its limit or trying to debit a member here.
After each: every ledger verifies, nothing stays held once the jobs ran, the links' heads and vostro accounts agree,
and the payer's answer matches the end state."""

import json
import time
import uuid as uuidlib

import pytest
import requests
from sqlalchemy import select

from platform6.federation import signing, wire
from platform6.federation.models import Link

from .harness import TIMEOUT, WINDOW, Federation

pytestmark = pytest.mark.federation


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    federation = Federation(tmp_path_factory.mktemp("federation"))
    yield federation
    federation.stop()


def _outcome_everywhere(fed, uuid) -> set[str]:
    return {node.states().get(uuid) for node in fed.nodes} - {None}


def test_a_member_of_the_employee_network_pays_a_member_of_leeds(fed):
    before = fed.k.balance("baker"), fed.l.balance("bob")
    answer = fed.k.pay("baker", "ocn/leeds/bob", 1_250)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["state"] == "completed" and body["from"] == "ocn/kirklees/bakery/baker"
    assert [leg["amount"] for leg in body["transfer"]["legs"]] == [1_250, 1_250]  # bakery, then kirklees
    assert (fed.k.balance("baker"), fed.l.balance("bob")) == (before[0] - 1_250, before[1] + 1_250)
    assert fed.n.balance("vostro:kirklees") == -1_250 and fed.n.balance("vostro:leeds") == 1_250
    assert _outcome_everywhere(fed, body["uuid"]) == {"completed"}
    fed.assert_consistent()
    # and back, leeds to kirklees
    back = fed.l.pay("bob", "ocn/kirklees/ellie", 250)
    assert back.status_code == 201, back.text
    assert fed.k.balance("ellie") == 250
    fed.assert_consistent()


def test_n_killed_in_phase_1_leaves_nothing_moved(fed):
    before = fed.k.balance("ellie"), fed.l.balance("bob")
    fed.n.restart(faults="relay.after_downstream_ok=crash")
    answer = fed.k.pay("ellie", "ocn/leeds/bob", 100)
    assert answer.status_code == 503 and answer.json()["error"]["code"] == "peer_unavailable"
    fed.n.restart()
    fed.settle()  # K tells N it erased; N erases and tells L
    assert (fed.k.balance("ellie"), fed.l.balance("bob")) == before
    fed.assert_consistent()
    assert all(state in ("completed", "erased") for node in fed.nodes for state in node.states().values())


def test_n_killed_in_phase_2_completes_everywhere_after_restart(fed):
    before = fed.k.balance("ellie"), fed.l.balance("bob")
    fed.n.restart(faults="patch.after_downstream_ack=crash")
    answer = fed.k.pay("ellie", "ocn/leeds/bob", 300)
    assert answer.status_code == 202 and answer.json()["state"] == "completing", answer.text
    uuid = answer.json()["uuid"]
    assert fed.l.states()[uuid] == "completed"  # downstream first: L posted before N died
    fed.n.restart()
    time.sleep(TIMEOUT + 0.5)  # R2 asks once this request's own call is over
    fed.settle()
    assert _outcome_everywhere(fed, uuid) == {"completed"}
    assert (fed.k.balance("ellie"), fed.l.balance("bob")) == (before[0] - 300, before[1] + 300)
    assert fed.k.remote_transfer("ellie", uuid)["state"] == "completed"
    fed.assert_consistent()


def test_a_downstream_that_times_out_is_erased_everywhere(fed):
    before = fed.k.balance("ellie"), fed.l.balance("bob")
    fed.l.restart(faults=f"relay.after_local_commit=sleep:{TIMEOUT + 1}")
    answer = fed.k.pay("ellie", "ocn/leeds/bob", 100)
    assert answer.status_code == 503, answer.text
    time.sleep(1.5)  # L's late validation lands
    fed.l.restart()
    fed.settle()  # N's queued abort erases it at L
    assert (fed.k.balance("ellie"), fed.l.balance("bob")) == before
    assert _outcome_everywhere(fed, answer.json().get("uuid") or _last(fed.k)) == {"erased"}
    fed.assert_consistent()


def _last(node) -> str:
    return list(node.states())[-1]


def _as_kirklees(fed, route: str, body: bytes, *, head=None, method="POST"):
    """A message to N signed with K's secret, carrying K's current head (or `head`)."""
    path = f"/cc/ocn/{route}"
    headers = wire.auth_headers(profile="p6", our_name="kirklees", our_path=["ocn", "kirklees"],
                                head=head if head is not None else fed.k.link("ocn")["head"])  # fmt: skip
    headers[signing.HEADER] = signing.sign(fed.secret["kirklees"], method=method, path=path, body=body)
    return requests.request(method, f"{fed.n.base}{path}", data=body, headers=headers, timeout=10)


def _relay(payer, payee, quant, uuid=None) -> tuple[str, bytes]:
    uuid = uuid or str(uuidlib.uuid4())
    entry = {"payer": payer, "payee": payee, "quant": quant, "description": "test", "metadata": {}}
    return uuid, json.dumps({"uuid": uuid, "state": "V", "workflow": "|P-PC+CX+", "entries": [entry]}).encode()


def test_a_replayed_relay_gets_the_stored_answer_and_moves_nothing(fed):
    uuid, body = _relay("ocn/kirklees/ellie", "ocn/leeds/bob", 1)
    first = _as_kirklees(fed, "transaction/relay", body)
    assert first.status_code == 200, first.text
    states = fed.n.states(), fed.l.states()
    again = _as_kirklees(fed, "transaction/relay", body)
    assert again.status_code == 200 and again.json() == first.json()
    assert (fed.n.states(), fed.l.states()) == states
    # nobody completes it: the window passes and R1 erases it, then the abort reaches L
    time.sleep(WINDOW + 0.5)
    fed.settle()
    assert _outcome_everywhere(fed, uuid) == {"erased"}
    fed.assert_consistent()


@pytest.mark.parametrize("head", ["f" * 32, ""], ids=["forged hash", "no hash"])
def test_a_forged_or_stale_hash_gets_401_and_writes_nothing(fed, head):
    states = fed.n.states()
    _uuid, body = _relay("ocn/kirklees/ellie", "ocn/leeds/bob", 1)
    answer = _as_kirklees(fed, "transaction/relay", body, head=head)
    assert answer.status_code == 401 and answer.json()["errors"][0]["class"] == "HashMismatchFailure"
    assert fed.n.states() == states


def test_a_leaf_may_not_relay_beyond_its_limit_nor_debit_a_member_here(fed):
    owed = -fed.n.balance("vostro:kirklees")
    beyond = Federation.LIMIT - owed + 1
    answer = fed.k.pay("ellie", "ocn/leeds/bob", beyond)  # ellie's own limit would allow it
    assert fed.k.balance("ellie") - beyond >= -20_000
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "insufficient_credit", answer.text
    states = fed.n.states()
    _uuid, body = _relay("ocn/olive", "ocn/kirklees/ellie", 1)
    debit = _as_kirklees(fed, "transaction/relay", body)
    assert debit.status_code == 400 and debit.json()["errors"][0]["class"] == "PermissionViolation"
    _uuid, body = _relay("ocn/leeds/bob", "ocn/kirklees/ellie", 1)
    other = _as_kirklees(fed, "transaction/relay", body)
    assert other.status_code == 400 and other.json()["errors"][0]["class"] == "PermissionViolation"
    assert fed.n.states() == states
    fed.settle()
    fed.assert_consistent()


def test_concurrent_payments_both_ways_keep_the_chains_in_step(fed):
    """Payments crossing the same links at once, in both directions: the trunk orders state changes per link
    (LinkBusy), so every answer matches its end state and the heads still agree."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = [(fed.k, "ellie", "ocn/leeds/bob"), (fed.l, "bob", "ocn/kirklees/ellie")] * 3
    with ThreadPoolExecutor(len(jobs)) as pool:
        answers = list(pool.map(lambda job: job[0].pay(job[1], job[2], 7), jobs))
    time.sleep(TIMEOUT + 0.5)
    fed.settle()
    fed.assert_consistent()
    for (node, member, _to), answer in zip(jobs, answers, strict=True):
        if answer.status_code in (201, 202):
            # 201: posted; 202: completing then, and now posted, or erased everywhere (a node's window passed)
            end = node.remote_transfer(member, answer.json()["uuid"])["state"]
            assert end == "completed" if answer.status_code == 201 else end in ("completed", "erased"), answer.text
        else:
            assert answer.status_code in (422, 503), answer.text
    assert sum(answer.status_code == 201 for answer in answers) >= 1


def test_verify_peers_notices_a_leaf_whose_head_diverged(fed):
    with fed.k.db() as session:
        link = session.scalar(select(Link).where(Link.peer_name == "ocn"))
        kept, link.head = link.head, "0" * 32
    with fed.k.app.app_context():
        result = fed.k.app.test_cli_runner().invoke(args=["credit", "verify", "--peers", "--json"])
    assert result.exit_code == 1 and "did not confirm our head (HTTP 401)" in result.output
    with fed.k.db() as session:
        session.scalar(select(Link).where(Link.peer_name == "ocn")).head = kept
    fed.assert_consistent()


def test_a_lost_answer_to_c_is_found_out_and_completed_once(fed):
    """L posts but answers C too late: N and K keep holding (202), then R2 learns L completed and they post."""
    before = fed.k.balance("ellie"), fed.l.balance("bob")
    fed.l.restart(faults=f"patch.before_answer=sleep:{TIMEOUT + 1}")
    answer = fed.k.pay("ellie", "ocn/leeds/bob", 40)
    assert answer.status_code == 202, answer.text
    uuid = answer.json()["uuid"]
    fed.l.restart()
    time.sleep(TIMEOUT + 0.5)
    fed.settle()
    assert _outcome_everywhere(fed, uuid) == {"completed"}
    assert (fed.k.balance("ellie"), fed.l.balance("bob")) == (before[0] - 40, before[1] + 40)
    assert fed.k.remote_transfer("ellie", uuid)["state"] == "completed"
    fed.assert_consistent()


def test_the_payer_node_killed_while_completing_finishes_after_restart(fed):
    """K commits `completing` and dies before sending C: the member gets no answer; after K restarts, R2 finds N
    still validated, sends C again, and the payment completes everywhere, as GET then shows."""
    before = fed.k.balance("ellie"), fed.l.balance("bob")
    fed.k.restart(faults="patch.after_completing=crash")
    with pytest.raises(requests.ConnectionError):
        fed.k.pay("ellie", "ocn/leeds/bob", 60)
    fed.k.restart()
    (uuid,) = [u for u, state in fed.k.states().items() if state == "completing"]
    time.sleep(TIMEOUT + 0.5)
    fed.settle()
    assert _outcome_everywhere(fed, uuid) == {"completed"}
    assert (fed.k.balance("ellie"), fed.l.balance("bob")) == (before[0] - 60, before[1] + 60)
    assert fed.k.remote_transfer("ellie", uuid)["state"] == "completed"
    fed.assert_consistent()


def test_n_dead_between_the_phases_completes_everywhere_once_it_is_back(fed):
    """All three validated, then N dies as K's C reaches it (kill -9 on arrival): K keeps holding and answers 202.
    N restarts after every window has passed. R1 on N asks K before erasing and learns K is completing, so it waits;
    K's R2 finds N still validated and sends C again; L, N and K post, each once; the payer's GET shows it."""
    before = fed.k.balance("ellie"), fed.l.balance("bob")
    fed.n.restart(faults="patch.on_arrival=crash")
    answer = fed.k.pay("ellie", "ocn/leeds/bob", 70)
    answered_at = time.monotonic()
    assert answer.status_code == 202 and answer.json()["state"] == "completing", answer.text
    uuid = answer.json()["uuid"]
    assert (fed.k.states()[uuid], fed.n.states()[uuid], fed.l.states()[uuid]) == ("completing", "validated",
                                                                                  "validated")  # fmt: skip
    fed.n.restart()
    time.sleep(max(0.0, answered_at + WINDOW + 1 - time.monotonic()))  # past N's and L's windows, K's next check due
    fed.settle()
    assert _outcome_everywhere(fed, uuid) == {"completed"}
    assert (fed.k.balance("ellie"), fed.l.balance("bob")) == (before[0] - 70, before[1] + 70)
    assert fed.k.remote_transfer("ellie", uuid)["state"] == "completed"
    fed.assert_consistent()
