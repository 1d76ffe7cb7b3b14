"""The STV tally against a real election: Portland City Council District 1, November 2024.

The cast-vote record (tests/governance/data/README.md) is counted by the tally function itself,
not through HTTP, so the 42,871 ballots take a couple of seconds.
"""

import csv
import gzip
from pathlib import Path

from platform6.governance.tally import tally_stv

RECORD = Path(__file__).parent / "data" / "portland-2024-district1.csv.gz"


def portland_ballots() -> list[dict[str, int]]:
    """One ballot per row, {candidate: rank column}; a `skipped` rank leaves a gap."""
    with gzip.open(RECORD, "rt", newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        next(rows)
        return [{name: rank for rank, name in enumerate(row[1:], 1) if name != "skipped"} for row in rows]


def test_portland_2024_district_1_elects_the_published_three_with_the_published_quota():
    ballots = portland_ballots()
    candidates = sorted({name for ballot in ballots for name in ballot})
    assert len(ballots) == 42_871 and len(candidates) == 17

    result = tally_stv(candidates, ballots, seats=3)

    assert result["quota"] == 10_718
    assert result["elected"] == ["Candace Avalos", "Loretta Smith", "Jamie Dunphy"]
    assert result["tied"] == [] and result["winner"] is None
    first_round = result["rounds"][0]["counts"]
    assert sum(first_round.values()) == 42_871
