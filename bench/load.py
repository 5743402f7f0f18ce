"""Benchmark: N people in the app at once, each a real Streamlit session over its websocket.

Starts `qlab serve` (one process, or --servers K sharing one store) on a copy of a Lab (--lab
DIR, or the demo Lab loaded fresh), makes a participant account per client, then drives each
client through the steps a workshop participant takes: open the app, sign in (until the
Overview has arrived), the Overview again, Explore (its Themes view), the Search view, three
searches, a vote on a result and a contribution. Each step is timed from the message sent to
the server's "script finished"; an exception, an error shown in the page or a missing answer
is a failure, its text kept. First one client goes through alone twice (the first visit after
the server started, then warm), then N clients at once. Writes, with --summary FILE.json,
{"clients": N, "steps": {step: {"clients", "p50_s", "p95_s", "max_s", "failures", "errors"}},
"alone_s": {...}, "first_alone_s": {...}, "load_average": {...}} and prints a table.
The goal (issue 20): with 50 clients, p95 <= 2 s for every step and no failure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load_setup import ACCOUNT, Server, make_accounts, prepare_lab, server_environ
from bench.stclient import Run, Session, SessionError

GOAL_P95_S = 2.0
STEPS = ["open", "sign_in", "overview", "explore", "search_view",
         "search_1", "search_2", "search_3", "vote", "contribute"]  # fmt: skip
QUERIES = [
    "what stops people finding a peer group",
    "travel costs for people in rural areas",
    "training and support for volunteers",
    "funding that ends after a year",
    "feeling listened to by someone who has been there",
    "waiting lists for mental health services",
    "safeguarding and boundaries for peer workers",
    "online groups during the pandemic",
    "commissioners measuring outcomes",
    "young people and peer support",
    "loneliness after leaving hospital",
    "paying peer workers fairly",
]
ALONE = 2  # accounts for the two lone passes; the crowd's follow


class StepFailed(RuntimeError):
    pass


def check(step: str, run: Run) -> None:
    """Raise StepFailed unless the run shows what the step should have brought."""
    if run.errors:
        raise StepFailed(run.errors[0])
    wanted = {
        "open": lambda: "signin-name" in run.widgets,
        "sign_in": lambda: "explore" in run.pages and "signin-name" not in run.widgets,
        "overview": lambda: any(text.startswith("Q Lab Workspace") for text in run.texts),
        "explore": lambda: "explore-view" in run.widgets,
        "search_view": lambda: "explore-query" in run.widgets,
        "vote": lambda: True,  # checked by the caller, which knows the button
        "contribute": lambda: any(text.startswith("Thank you") for text in run.successes),
    }.get(step, lambda: any(key.startswith("vote-agree-") for key in run.widgets))
    if not wanted():
        raise StepFailed(f"{step}: the page did not show what this step brings")


def plan(number: int, password: str) -> list[tuple[str, object]]:
    """The steps of participant `number`: each a step name and its request to the session
    (or a function of the session giving it, for a request that depends on the page shown)."""
    queries = [QUERIES[(3 * number + i) % len(QUERIES)] for i in range(3)]
    note = f"Load bench note {number}: a lift to the group would help me go every week."
    return [
        ("open", {}),
        ("sign_in", dict(values={"signin-name": ACCOUNT.format(number),
                                 "signin-password": password}, click="signin-submit")),
        ("overview", dict(page="")),
        ("explore", dict(page="explore")),
        ("search_view", dict(values={"explore-view": "Search"})),
        *[(f"search_{i + 1}", dict(values={"explore-query": q})) for i, q in enumerate(queries)],
        ("vote", lambda tab: dict(click=next(
            key for key in tab.last.widgets if key.startswith("vote-agree-")))),
        ("contribute", dict(values={"explore-contribution-text": note},
                            click="explore-contribution-submit")),
    ]  # fmt: skip


async def person(url: str, number: int, password: str, think: float = 0.0, delay: float = 0.0,
                 cpu=None, spent: dict | None = None) -> dict:  # fmt: skip
    """One participant's visit; returns {step: seconds, or the failure's text}. With `cpu` (a
    function giving the server's CPU seconds so far), `spent` gets each step's CPU seconds."""
    result: dict[str, float | str] = {}
    await asyncio.sleep(delay)
    rng = random.Random(number)
    step = STEPS[0]
    try:
        async with Session(url) as tab:
            for step, request in plan(number, password):
                ask = request(tab) if callable(request) else request
                before = cpu() if cpu else 0.0
                run = await tab.run(**ask)
                check(step, run)
                if step == "vote" and run.widgets[ask["click"]].proto.type != "primary":
                    raise StepFailed("vote: the button is not marked as the person's vote")
                result[step] = run.seconds
                if spent is not None and cpu:
                    spent[step] = round(cpu() - before, 3)
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))
    except (StepFailed, SessionError, OSError, TimeoutError, StopIteration, KeyError) as err:
        result[step] = f"{type(err).__name__}: {err}"[:300]
        for later in STEPS[STEPS.index(step) + 1 :]:
            result[later] = f"not reached ({step} failed)"
    return result


def cpu_of(pid: int):
    """A function giving the process's CPU seconds so far (all its threads; Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")

    def seconds() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime

    return seconds


async def crowd(urls: list[str], first: int, clients: int, password: str, think: float,
                ramp: float) -> list[dict]:  # fmt: skip
    """`clients` people at once, spread over the servers in turn, starting over `ramp` s."""
    visits = [
        person(urls[i % len(urls)], first + i, password, think, ramp * i / max(clients, 1))
        for i in range(clients)
    ]
    return await asyncio.gather(*visits)


def step_table(results: list[dict]) -> dict:
    """Per step: clients, p50/p95/max seconds of the successful runs, failures and their texts."""
    table = {}
    for step in STEPS:
        seconds = [r[step] for r in results if isinstance(r.get(step), float)]
        errors = sorted({r[step] for r in results if isinstance(r.get(step), str)})
        table[step] = {
            "clients": len(results),
            "p50_s": round(float(np.percentile(seconds, 50)), 3) if seconds else None,
            "p95_s": round(float(np.percentile(seconds, 95)), 3) if seconds else None,
            "max_s": round(max(seconds), 3) if seconds else None,
            "failures": len(results) - len(seconds),
            "errors": errors[:5],
        }
    return table


def print_table(summary: dict) -> None:
    print(f"\n{summary['clients']} clients on {summary['servers']} server process(es), "
          f"think {summary['think_s']} s; load average before {summary['load_average']['before']}"
          f", after {summary['load_average']['after']}")  # fmt: skip
    print(f"{'step':12} {'first':>7} {'alone':>7} {'cpu':>7} {'p50':>7} {'p95':>7} {'max':>7} "
          f"{'fail':>5}")  # fmt: skip
    for step, row in summary["steps"].items():
        alone = [summary[k].get(step) for k in ("first_alone_s", "alone_s", "alone_cpu_s")]
        cells = [*alone, row["p50_s"], row["p95_s"], row["max_s"]]
        text = " ".join(f"{c:7.2f}" if isinstance(c, float) else f"{'-':>7}" for c in cells)
        print(f"{step:12} {text} {row['failures']:5d}  {'; '.join(row['errors'])[:120]}")
    print(f"goal p95 <= {GOAL_P95_S} s for every step, no failure: "
          f"{'met' if summary['goal_met'] else 'NOT met'}")  # fmt: skip


def profile(pid: int, out: Path, gil: bool) -> subprocess.Popen:
    """py-spy sampling the app process while the crowd runs (pip install py-spy)."""
    form = {".json": "speedscope", ".svg": "flamegraph"}.get(out.suffix, "raw")  # raw: stacks
    beside = Path(sys.executable).with_name("py-spy")  # the venv's, when installed there
    spy = str(beside) if beside.exists() else "py-spy"
    command = [spy, "record", "--pid", str(pid), "--output", str(out), "--rate", "50",
               "--format", form]  # fmt: skip
    return subprocess.Popen(command + (["--gil"] if gil else []), stdout=subprocess.DEVNULL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--summary", type=Path, help="write the per-step results to this JSON")
    parser.add_argument("--lab", type=Path, help="a workspace folder to serve a copy of "
                        "(default: the demo Lab, loaded fresh)")  # fmt: skip
    parser.add_argument("--servers", type=int, default=1, help="app processes (one store)")
    parser.add_argument("--url", action="append", help="measure servers already running "
                        "(repeat for several) on the workspace at --home, instead")  # fmt: skip
    parser.add_argument("--home", type=Path, help="with --url: their workspace (accounts)")
    parser.add_argument("--database-url", default="", help="PostgreSQL for the store (empty)")
    parser.add_argument("--chroma-url", default="", help="a `chroma run` server for the index")
    parser.add_argument("--collection", default="qlab_load", help="its collection (qlab_load)")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a person pauses between steps (0: none)",
    )
    parser.add_argument("--ramp", type=float, default=0.0, help="seconds over which clients start")
    parser.add_argument(
        "--profile",
        type=Path,
        help="py-spy the (first) app process into this "
        "file while the crowd runs (.json: speedscope, .svg: flame graph, else collapsed stacks)",
    )
    parser.add_argument("--profile-gil", action="store_true", help="sample only the GIL holder")
    args = parser.parse_args()

    env = server_environ(args.database_url, args.chroma_url, args.collection)
    if args.url:  # servers already running on the workspace at --home
        password = make_accounts(args.home, env, ALONE + args.clients)
        summary = measure(args, args.url, password, None)
    else:
        summary = serve_and_measure(args, env)
    print_table(summary)
    if args.summary:
        args.summary.write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return 0


def serve_and_measure(args, env: dict) -> dict:
    """Prepare a Lab in a temporary folder, start the servers on it, measure, stop them."""
    with tempfile.TemporaryDirectory(prefix="qlab-load-") as tmp:
        base = Path(tmp)
        start = time.perf_counter()
        prepare_lab(base / "home-0", env, args.lab)
        password = make_accounts(base / "home-0", env, ALONE + args.clients)
        print(
            f"Lab ready with {ALONE + args.clients} accounts in {time.perf_counter() - start:.1f} s"
        )
        # On SQLite every process serves the one folder; on servers each has its own home.
        homes = [base / (f"home-{i}" if env.get("QLAB_DATABASE_URL") else "home-0")
                 for i in range(args.servers)]  # fmt: skip
        servers = [Server(home, env, base / f"server-{i}.log") for i, home in enumerate(homes)]
        try:
            for server in servers:
                server.wait_ready()
            summary = measure(args, [s.url for s in servers], password, servers[0].app_pid())
            summary["server_start_s"] = [round(s.started_s, 1) for s in servers]
        finally:
            for server in servers:
                server.stop()
    return summary


def measure(args, urls: list[str], password: str, app_pid: int | None) -> dict:
    """The two lone passes, then the crowd; the summary of all three."""
    first_alone = asyncio.run(person(urls[0], 0, password))
    spent: dict[str, float] = {}  # the server's CPU seconds per step, alone
    alone = asyncio.run(person(urls[0], 1, password, cpu=app_pid and cpu_of(app_pid), spent=spent))
    before = os.getloadavg()
    spy = profile(app_pid, args.profile, args.profile_gil) if args.profile and app_pid else None
    start = time.perf_counter()
    results = asyncio.run(crowd(urls, ALONE, args.clients, password, args.think, args.ramp))
    took = time.perf_counter() - start
    if spy is not None:
        spy.send_signal(signal.SIGINT)  # py-spy writes its file when interrupted
        spy.wait(timeout=120)
    steps = step_table(results)
    met = all(r["failures"] == 0 and (r["p95_s"] or 0) <= GOAL_P95_S for r in steps.values())
    return {
        "clients": args.clients,
        "servers": len(urls),
        "think_s": args.think,
        "ramp_s": args.ramp,
        "cores": len(os.sched_getaffinity(0)),
        "crowd_s": round(took, 1),
        "load_average": {
            "before": [round(x, 2) for x in before],
            "after": [round(x, 2) for x in os.getloadavg()],
        },  # fmt: skip
        "first_alone_s": {
            k: round(v, 3) if isinstance(v, float) else v for k, v in first_alone.items()
        },  # fmt: skip
        "alone_s": {k: round(v, 3) if isinstance(v, float) else v for k, v in alone.items()},
        "alone_cpu_s": spent,
        "steps": steps,
        # Clients go to the servers in turn: how many each served, and how many steps failed.
        "per_server": [
            {"clients": len(served), "failed_steps": sum(_failed(r) for r in served)}
            for served in (results[i :: len(urls)] for i in range(len(urls)))
        ],
        "goal_met": met,
    }


def _failed(result: dict) -> int:
    return sum(isinstance(value, str) for value in result.values())


if __name__ == "__main__":
    sys.exit(main())
