"""Three installations on one machine (FEDERATION.md §6): N hosts the trunk `ocn`, K hosts `kirklees` and its employee
network `bakery` (a child network inside K), L hosts `leeds`. Each is a real gunicorn process (tests/production's
AppProcess) on its own SQLite file, a copy of one migrated template, with its own SECRET_KEY. Networks, accounts and
links are written in-process before the processes start (links opened on both sides with a shared genesis and secret:
grafting by proposal is tested elsewhere); the same in-process apps then read each ledger and run the jobs.
"""

import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import func, select

from platform6.accounts.service import create_token, create_user
from platform6.credit import queries
from platform6.credit import service as credit_service
from platform6.credit.models import Account
from platform6.extensions import db
from platform6.federation import hashing, links, signing
from platform6.federation.models import CCTransaction, Hold, Link
from platform6.groups.service import create_group
from tests.conftest import make_app
from tests.production.processes import ROOT, AppProcess

#: a validated transaction's window and a hop's timeout in these tests: short, so expiry is quick to reach
WINDOW, TIMEOUT = 5, 2


def migrated_template(directory: Path) -> Path:
    path = directory / "template.db"
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"], cwd=ROOT, check=True,
                   env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "template"},
                   capture_output=True)  # fmt: skip
    with sqlite3.connect(path) as connection:  # fold the write-ahead log in, so that copying the file copies it all
        connection.execute("PRAGMA journal_mode=DELETE")
    return path


@dataclass
class Node:
    """One installation: its process, its database, and an in-process app on the same file to read and run jobs."""

    name: str
    directory: Path
    template: Path

    def __post_init__(self):
        self.file = self.directory / f"{self.name}.db"
        shutil.copy(self.template, self.file)
        self.url = f"sqlite:///{self.file}"
        self.secret_key = f"secret-key-of-{self.name}"
        self.env = {"DATABASE_URL": self.url, "SECRET_KEY": self.secret_key, "FEDERATION_ALLOW_HTTP": "1",
                    "FEDERATION_ALLOW_PRIVATE_ADDRESSES": "1",
                    "FEDERATION_WINDOW_SECONDS": str(WINDOW), "FEDERATION_TIMEOUT_SECONDS": str(TIMEOUT),
                    "FEDERATION_BUDGET_SECONDS": "10", "RUN_SCHEDULER": "0", "RATELIMIT_ENABLED": "0"}  # fmt: skip
        self.process = AppProcess(self.env, self.directory / f"{self.name}.log", threads=8)
        self.base = self.process.base
        self.app = make_app(self.url, SECRET_KEY=self.secret_key, FEDERATION_ALLOW_HTTP=True,
                            FEDERATION_ALLOW_PRIVATE_ADDRESSES=True, FEDERATION_WINDOW_SECONDS=WINDOW, FEDERATION_TIMEOUT_SECONDS=TIMEOUT)  # fmt: skip
        self.ids: dict[str, int] = {}
        self.tokens: dict[str, str] = {}

    @contextmanager
    def db(self):
        with self.app.app_context():
            try:
                yield db.session
                db.session.commit()
            finally:
                db.session.remove()

    # --- the process ---

    def start(self, faults: str | None = None) -> None:
        self.process.env.pop("FEDERATION_TEST_FAULTS", None)
        if faults:
            self.process.env["FEDERATION_TEST_FAULTS"] = faults
        self.process.start()
        self.process.wait_healthy()

    def restart(self, faults: str | None = None) -> None:
        """kill -9 (a crash, whatever it was doing), then start again, with these faults or none."""
        self.process.kill()
        self.start(faults)

    # --- reading the ledger ---

    def balance(self, key: str) -> int:
        with self.db() as session:
            return session.get(Account, self.ids[key]).balance

    def states(self) -> dict[str, str]:
        with self.db() as session:
            return dict(session.execute(select(CCTransaction.uuid, CCTransaction.state)).all())

    def unresolved(self) -> int:
        """Rows still holding value, holds left, and held sums on accounts: all 0 once everything is settled."""
        with self.db() as session:
            rows = session.scalar(select(func.count()).where(CCTransaction.state.in_(("validated", "completing"))))
            held = session.scalar(select(func.coalesce(func.sum(Account.held_out + Account.held_in), 0)))
            return rows + session.scalar(select(func.count()).select_from(Hold)) + held

    def verify(self) -> list[str]:
        with self.db():
            return queries.ledger_violations()

    def cli(self, *args: str) -> str:
        with self.app.app_context():
            result = self.app.test_cli_runner().invoke(args=list(args))
            db.session.remove()
        assert result.exit_code == 0, result.output
        return result.output

    def run_jobs(self) -> str:
        return self.cli("federation", "run-jobs", "--once")

    def link(self, peer: str) -> dict:
        """The link to `peer` as this side sees it: head, seq and its vostro account in link units."""
        with self.db() as session:
            link = session.scalar(select(Link).where(Link.peer_name == peer))
            view = links.vostro_view(link)
            return {"head": link.head, "seq": link.seq, "balance": view.balance, "held": view.held_in + view.held_out}

    # --- the member's API ---

    def pay(self, member: str, to: str, amount: int, key: str | None = None) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.tokens[member]}"} | ({"Idempotency-Key": key} if key else {})
        body = {"from_account_id": self.ids[member], "to": to, "amount": amount, "description": f"{member} pays"}
        return requests.post(f"{self.base}/api/v1/remote-transfers", json=body, headers=headers, timeout=30)

    def remote_transfer(self, member: str, uuid: str) -> dict:
        headers = {"Authorization": f"Bearer {self.tokens[member]}"}
        return requests.get(f"{self.base}/api/v1/remote-transfers/{uuid}", headers=headers, timeout=10).json()


def _member(node: Node, network, name: str, credit_limit: int) -> None:
    person = create_user(name=name.title(), email=f"{name}@{node.name}.example", password="correct horse")
    account = credit_service.open_account(actor=None, network=network, holder_type="user", holder_id=person.id,
                                          kind="individual", credit_limit=credit_limit)  # fmt: skip
    account.cc_name = name
    db.session.flush()
    node.ids[name] = account.id
    node.tokens[name] = create_token(user=person)


def _network(node: Node, name: str, cc_name: str, parent=None, admin=None):
    admin = admin or create_user(name=f"Admin of {name}", email=f"admin-{cc_name}@{node.name}.example",
                                 password="correct horse")  # fmt: skip
    group = create_group(actor=admin, name=name, privacy="closed")
    network = credit_service.create_network(actor=admin, name=name, group_id=group.id, currency_code="SKL",
                                            currency_name="Kredit", currency_symbol="§", currency_decimals=2,
                                            parent_id=parent.id if parent else None)  # fmt: skip
    network.cc_name = cc_name
    db.session.flush()
    node.ids[cc_name] = network.id
    return network, admin


class Federation:
    """ocn on N, kirklees (with bakery inside) on K, leeds on L; each leaf's vostro account limited to 100.00."""

    LIMIT = 10_000

    def __init__(self, directory: Path):
        template = migrated_template(directory)
        self.n, self.k, self.l = (Node(name, directory, template) for name in "NKL")
        self.genesis = {"kirklees": hashing.new_genesis(), "leeds": hashing.new_genesis()}
        self.secret = {"kirklees": signing.new_secret(), "leeds": signing.new_secret()}
        with self.n.db():
            ocn, _admin = _network(self.n, "Open Credit Network", "ocn")
            _member(self.n, ocn, "olive", 5_000)
            for leaf, node in (("kirklees", self.k), ("leeds", self.l)):
                link = links.open_link(network=ocn, direction="leafward", peer_name=leaf, credit_limit=self.LIMIT,
                                       peer_url=f"{node.base}/cc/{leaf}/", genesis=self.genesis[leaf],
                                       secret=self.secret[leaf])  # fmt: skip
                self.n.ids[f"vostro:{leaf}"] = link.vostro_account_id
        for leaf, node in (("kirklees", self.k), ("leeds", self.l)):
            with node.db():
                network, admin = _network(node, leaf.title(), leaf)
                _member(node, network, "ellie" if leaf == "kirklees" else "bob", 20_000)
                link = links.open_link(network=network, direction="trunkward", peer_name="ocn",
                                       peer_url=f"{self.n.base}/cc/ocn/", credit_limit=self.LIMIT,
                                       genesis=self.genesis[leaf], secret=self.secret[leaf])  # fmt: skip
                node.ids["vostro:ocn"] = link.vostro_account_id
                if leaf == "kirklees":  # the employer's employee network, a child network inside K
                    bakery, _admin = _network(node, "Bakery staff", "bakery", parent=network, admin=admin)
                    _member(node, bakery, "baker", 2_000)
                    # the employer backs its staff's spending in kirklees
                    credit_service.set_credit_limit(account_id=bakery.clearing_account_id, credit_limit=2_000,
                                                    actor=None)  # fmt: skip
        for node in self.nodes:
            node.start()

    @property
    def nodes(self) -> tuple[Node, Node, Node]:
        return self.n, self.k, self.l

    def stop(self) -> None:
        for node in self.nodes:
            node.process.stop()
            with node.app.app_context():
                db.engine.dispose()

    def settle(self, seconds: float = 20) -> None:
        """Run every node's jobs, trunk and leaves, until nothing is left validated or completing (a row whose next
        check is later, after a busy link or a silent neighbour, gets its turn within `seconds`)."""
        give_up = time.monotonic() + seconds
        while True:
            for node in (self.n, self.k, self.l, self.n):
                node.run_jobs()
            if not any(node.unresolved() for node in self.nodes) or time.monotonic() > give_up:
                return
            time.sleep(0.5)

    def assert_consistent(self) -> None:
        """No value created or lost: every ledger verifies (also through `flask credit verify`), nothing is held,
        each link's heads agree and its two vostro accounts mirror exactly in trunk units, and each transaction
        has the same outcome on every node it reached."""
        for node in self.nodes:
            assert node.verify() == [], node.name
            assert "every invariant holds" in node.cli("credit", "verify", "--peers")
            assert node.unresolved() == 0, node.name
        for leaf, node in (("kirklees", self.k), ("leeds", self.l)):
            trunk_side, leaf_side = self.n.link(leaf), node.link("ocn")
            assert trunk_side["head"] == leaf_side["head"] and trunk_side["seq"] == leaf_side["seq"], leaf
            assert trunk_side["balance"] == -leaf_side["balance"], leaf
        outcomes: dict[str, set[str]] = {}
        for node in self.nodes:
            for uuid, state in node.states().items():
                outcomes.setdefault(uuid, set()).add(state)
        assert all(len(states) == 1 for states in outcomes.values()), outcomes
