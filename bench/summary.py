"""One table for `make bench`: each script appends its headline rows; the last step prints them."""

from __future__ import annotations

import json
import platform
import sys
from datetime import date
from pathlib import Path


def record(path: Path, measure: str, value: str, goal: str, met: bool | None) -> None:
    """Append one row (measure, value, goal, met) to the run's summary file."""
    rows = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    rows.append({"measure": measure, "value": value, "goal": goal, "met": met})
    path.write_text(json.dumps(rows, indent=1), encoding="utf-8")


def print_table(path: Path) -> int:
    """Print the run's rows as one Markdown table, with the machine and the date."""
    rows = json.loads(path.read_text(encoding="utf-8")) if path.exists() else []
    cpus = len(__import__("os").sched_getaffinity(0))
    print(f"\n## make bench — {date.today().isoformat()}, {platform.machine()}, {cpus} cores\n")
    print("| measure | value | goal | met |")
    print("|---|---|---|---|")
    marks = {True: "✔", False: "✘", None: ""}
    for row in rows:
        print(f"| {row['measure']} | {row['value']} | {row['goal']} | {marks[row['met']]} |")
    return 0


if __name__ == "__main__":
    sys.exit(print_table(Path(sys.argv[1])))
