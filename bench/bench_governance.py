"""Tally 10,000 ranked votes over 10 options in-process: Borda (target ≤ 100 ms), instant runoff and STV (≤ 300 ms).

Run: python bench/bench_governance.py   (prints the best and median of several runs per method)
"""

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from platform6.governance import tally

VOTES, OPTIONS, RUNS = 10_000, 10, 7
TARGETS_MS = {"borda": 100, "instant_runoff": 300, "stv (3 seats)": 300, "dot_vote": 100, "score": 100}


def ballots(rng: random.Random, options: list[str]) -> list[dict[str, int]]:
    """Ranked ballots with a popularity skew; a quarter rank only some options (realistic exhaustion)."""
    weights = [1.0 / (i + 1) for i in range(len(options))]
    made = []
    for _ in range(VOTES):
        order = sorted(options, key=lambda o: rng.random() ** (1.0 / weights[options.index(o)]), reverse=True)
        if rng.random() < 0.25:
            order = order[: rng.randint(1, len(options) - 1)]
        made.append({name: rank for rank, name in enumerate(order, 1)})
    return made


def timed(fn) -> tuple[float, float]:
    runs = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return min(runs), statistics.median(runs)


def main() -> int:
    rng = random.Random(6)
    options = [f"option {i}" for i in range(1, OPTIONS + 1)]
    ranked = ballots(rng, options)
    dots = [{o: v for o, v in zip(rng.sample(options, 3), (4, 3, 1), strict=True)} for _ in range(VOTES)]
    scores = [{o: rng.randint(0, 5) for o in options} for _ in range(VOTES)]
    cases = {
        "borda": lambda: tally.tally_borda(options, ranked),
        "instant_runoff": lambda: tally.tally_instant_runoff(options, ranked),
        "stv (3 seats)": lambda: tally.tally_stv(options, ranked, seats=3),
        "dot_vote": lambda: tally.tally_dot_vote(options, dots),
        "score": lambda: tally.tally_score(options, scores),
    }
    print(f"{VOTES:,} votes over {OPTIONS} options, best / median of {RUNS} runs (Python {sys.version.split()[0]})")
    failed = False
    for name, fn in cases.items():
        best, median = timed(fn)
        ok = median <= TARGETS_MS[name]
        failed |= not ok
        print(
            f"  {name:<16} best {best:7.1f} ms   median {median:7.1f} ms   target ≤ {TARGETS_MS[name]} ms  {'ok' if ok else 'SLOW'}"
        )
    irv = tally.tally_instant_runoff(options, ranked)
    stv = tally.tally_stv(options, ranked, seats=3)
    print(f"  instant runoff: {len(irv['rounds'])} rounds, winner {irv['winner']}")
    print(f"  stv: quota {stv['quota']}, {len(stv['rounds'])} rounds, elected {', '.join(stv['elected'])}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
