"""Federation benchmark: `python bench/bench_federation.py` prints cross-installation payments per second and their
p50/p99 latency next to a local payment's, on three installations on this machine (tests/federation/harness.py:
three gunicorn processes on SQLite, N the trunk, K and L its leaves).

A payment from K to L is two phases over two links: K validates and relays to N, N to L (each holding), then C goes
K -> N -> L and each node posts as its downstream acknowledges: 4 HTTP calls and 6 write transactions besides the
member's own request. The local payment is one request and one write transaction on K (ellie pays the baker in
K's employee network: two legs)."""

import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests

from tests.federation.harness import Federation

SEQUENTIAL, CONCURRENT_CLIENTS, CONCURRENT_PAYMENTS = 100, 4, 100


def _local(fed: Federation, session: requests.Session) -> float:
    body = {"from_account_id": fed.k.ids["ellie"], "to_account_id": fed.k.ids["baker"], "amount": 1,
            "description": "local"}  # fmt: skip
    started = time.perf_counter()
    answer = session.post(f"{fed.k.base}/api/v1/transfers", json=body,
                          headers={"Authorization": f"Bearer {fed.k.tokens['ellie']}"}, timeout=30)  # fmt: skip
    assert answer.status_code == 201, answer.text
    return time.perf_counter() - started


def _remote(fed: Federation, member: str = "ellie") -> tuple[float, int]:
    started = time.perf_counter()
    answer = fed.k.pay(member, "ocn/leeds/bob", 1)
    return time.perf_counter() - started, answer.status_code


def _figures(name: str, seconds: list[float], wall: float) -> None:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"{name:<44} {len(seconds) / wall:8.1f}/s   p50 {statistics.median(ordered) * 1000:7.1f} ms"
          f"   p99 {p99 * 1000:7.1f} ms")  # fmt: skip


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        fed = Federation(Path(directory))
        try:
            session = requests.Session()
            for _warm in range(5):
                _local(fed, session)
                _remote(fed)
            started = time.perf_counter()
            local = [_local(fed, session) for _ in range(SEQUENTIAL)]
            _figures("local payment on K (one client)", local, time.perf_counter() - started)
            started = time.perf_counter()
            remote = [_remote(fed) for _ in range(SEQUENTIAL)]
            assert all(status == 201 for _t, status in remote), {status for _t, status in remote}
            _figures("K -> N -> L payment (one client)", [t for t, _s in remote], time.perf_counter() - started)
            started = time.perf_counter()
            with ThreadPoolExecutor(CONCURRENT_CLIENTS) as pool:
                results = list(pool.map(lambda _i: _remote(fed), range(CONCURRENT_PAYMENTS)))
            wall = time.perf_counter() - started
            done = [t for t, status in results if status == 201]
            _figures(f"K -> N -> L payment ({CONCURRENT_CLIENTS} clients, 201s)", done, wall)
            refused = {status for _t, status in results if status != 201}
            print(f"  of {CONCURRENT_PAYMENTS}: {len(done)} answered 201; others: {sorted(refused) or 'none'}")
            time.sleep(3)
            fed.settle()
            fed.assert_consistent()
            print("every ledger verifies, nothing held, heads and vostro accounts agree")
        finally:
            fed.stop()


if __name__ == "__main__":
    main()
