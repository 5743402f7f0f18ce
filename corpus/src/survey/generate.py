"""Generate the demo Lab's survey export (SurveyMonkey CSV layout) and its ground truth.

Reads the three free-text answer pools (answers_q1.yaml, answers_q2.yaml, answers_q3.yaml),
assigns respondents, attributes and answers deterministically (random.Random(2026), no wall
clock), then writes:

- corpus/peer-support-lab/survey/peer-support-survey.csv  (UTF-8 with BOM, two header rows)
- corpus/src/truth/survey.json                             (what the generator planted)

Run from anywhere:  python corpus/src/survey/generate.py
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent
LAB_DIR = CORPUS / "peer-support-lab"
CSV_REL = "survey/peer-support-survey.csv"
CSV_PATH = LAB_DIR / CSV_REL
TRUTH_PATH = CORPUS / "src" / "truth" / "survey.json"
BASE_PATH = CORPUS / "src" / "truth" / "base.json"

SEED = 2026
N_RESPONDENTS = 452
N_PARTIAL = 7  # drop-outs who stopped after the tick-box questions
SURVEY_START = date(2026, 3, 9)
SURVEY_END = date(2026, 4, 10)
REMINDER = date(2026, 3, 23)

# ---------------------------------------------------------------- questions and options

Q_ROLE = "Which of these best describes your connection to peer support?"
Q_REGION = "Where do you live or work?"
Q_AGE = "What is your age?"
Q_LIKERT = "How far do you agree: peer supporters should hold a recognised qualification"
Q_KINDS = "Which kinds of peer support would you consider?"
Q1 = "What helped you, or would help you, decide to use peer support?"
Q2 = "What gets in the way of peer support being available to everyone who needs it?"
Q3 = "Is there anything else you would like to tell the Lab?"
Q_CONSENT = "May we quote your answers anonymously in what the Lab publishes?"

# role key, option label, share of respondents
ROLES = [
    ("lived-experience", "I have lived experience of mental or physical ill health", 0.32),
    ("carer", "I am a carer or family member", 0.14),
    ("peer-worker", "I am a peer worker or peer supporter", 0.17),
    ("clinician", "I am a clinician or health professional", 0.14),
    ("commissioner", "I commission or plan services", 0.06),
    ("voluntary-sector", "I work in the voluntary or community sector", 0.17),
]
ROLE_LABEL = {key: label for key, label, _ in ROLES}

REGIONS = [
    ("North East", 5),
    ("North West", 12),
    ("Yorkshire and the Humber", 9),
    ("East Midlands", 7),
    ("West Midlands", 9),
    ("East of England", 8),
    ("London", 14),
    ("South East", 13),
    ("South West", 9),
    ("Wales", 5),
    ("Scotland", 6),
    ("Northern Ireland", 3),
]

AGES = ["Under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"]
AGE_PNTS = "Prefer not to say"
AGE_WEIGHTS = {
    "lived-experience": [1, 10, 17, 20, 20, 17, 10, 4],
    "carer": [1, 3, 8, 16, 24, 26, 16, 6],
    "peer-worker": [0, 6, 24, 27, 24, 15, 4, 0],
    "clinician": [0, 3, 25, 30, 26, 15, 1, 0],
    "commissioner": [0, 0, 10, 32, 36, 20, 2, 0],
    "voluntary-sector": [0, 6, 20, 22, 24, 19, 8, 1],
}

LIKERT = [
    "Strongly agree",
    "Agree",
    "Neither agree nor disagree",
    "Disagree",
    "Strongly disagree",
    "Don't know",
]
# the professionalise-vs-informal tension shows up here: groups differ
LIKERT_WEIGHTS = {
    "clinician": [30, 37, 14, 10, 3, 6],
    "commissioner": [34, 40, 11, 8, 2, 5],
    "lived-experience": [6, 14, 17, 30, 25, 8],
    "peer-worker": [5, 11, 13, 36, 32, 3],
    "carer": [15, 28, 21, 16, 8, 12],
    "voluntary-sector": [9, 22, 22, 28, 13, 6],
}

KINDS = [
    "One-to-one in person",
    "Group in person",
    "Online group or forum",
    "Phone or video call",
    "Not sure",
]

BLANK_RATE = {Q1: 0.10, Q2: 0.15, Q3: 0.65}
# share of filled slots given a placeholder / off-topic answer; default: the pool's own share
PLACEHOLDER_RATE = {Q1: 0.08}
FREE_TEXT = [(Q1, "answers_q1.yaml"), (Q2, "answers_q2.yaml"), (Q3, "answers_q3.yaml")]

LEADING = [
    "Respondent ID",
    "Collector ID",
    "Start Date",
    "End Date",
    "IP Address",
    "Email Address",
    "First Name",
    "Last Name",
    "Custom Data 1",
]
COLLECTOR_MAIN = "453118274"  # web link shared at launch
COLLECTOR_NEWSLETTER = "453902611"  # second web link, in partner newsletters from 16 March
NEWSLETTER_FROM = datetime(2026, 3, 16)

# ---------------------------------------------------------------- identifier detection

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PHONE_RE = re.compile(r"\b07\d{3}\s?\d{3}\s?\d{3}\b")
NHS_RE = re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b")


def nhs_number_valid(value: str) -> bool:
    """Modulus-11 check used by NHS numbers (weights 10..2 over the first nine digits)."""
    digits = re.sub(r"\D", "", value)
    if len(digits) != 10 or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    if check == 10:
        return False
    return check == int(digits[9])


def find_identifiers(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for m in EMAIL_RE.finditer(text):
        found.append(("EMAIL", m.group(0)))
    phones = [m.group(0) for m in PHONE_RE.finditer(text)]
    found.extend(("PHONE", p) for p in phones)
    for m in NHS_RE.finditer(text):
        if m.group(0) not in phones and nhs_number_valid(m.group(0)):
            found.append(("NHS_NUMBER", m.group(0)))
    return found


# ---------------------------------------------------------------- helpers


def weighted(rng: random.Random, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def load_pool(filename: str, question: str, valid_themes: set[str], tensions: dict, ideas: set):
    path = HERE / filename
    if not path.exists():
        print(f"WARNING: {filename} not found; '{question}' column left blank", file=sys.stderr)
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if data.get("question") and data["question"] != question:
        print(f"WARNING: {filename} question differs: {data['question']!r}", file=sys.stderr)
    role_keys = set(ROLE_LABEL)
    answers, seen = [], set()
    for i, a in enumerate(data.get("answers") or []):
        text = a.get("text")
        if not isinstance(text, str) or not text.strip():
            print(f"WARNING: {filename} answer {i} has no text; skipped", file=sys.stderr)
            continue
        if text in seen:
            print(f"WARNING: {filename} duplicate answer skipped: {text[:50]!r}", file=sys.stderr)
            continue
        seen.add(text)
        theme = a.get("theme")
        if theme is not None and theme not in valid_themes:
            print(f"WARNING: {filename} unknown theme {theme!r}; treated as null", file=sys.stderr)
            theme = None
        roles = a.get("roles")
        if roles:
            bad = set(roles) - role_keys
            if bad:
                print(f"WARNING: {filename} unknown roles {sorted(bad)}", file=sys.stderr)
            roles = [r for r in roles if r in role_keys] or None
        tension, side = a.get("tension"), a.get("side")
        if tension is not None and tension not in tensions:
            print(f"WARNING: {filename} unknown tension {tension!r}", file=sys.stderr)
            tension, side = None, None
        idea = a.get("idea")
        if idea is not None and idea not in ideas:
            print(f"WARNING: {filename} unknown idea {idea!r}", file=sys.stderr)
            idea = None
        ages = [x for x in (a.get("ages") or []) if x in AGES or x == AGE_PNTS] or None
        if "\n" in text or "\r" in text:
            # truth rows assume one CSV line per respondent
            print(f"WARNING: {filename} line break in answer: {text[:40]!r}", file=sys.stderr)
        answers.append(
            {
                "idx": i,
                "text": text,
                "theme": theme,
                "roles": roles,
                "tension": tension,
                "side": side,
                "idea": idea,
                "ages": ages,  # optional: age bands the writer must be in
                # pattern-found identifiers plus any the pool declares (landlines, postcodes)
                "identifiers": find_identifiers(text)
                + ([(a["identifier"], a["identifier_value"])] if a.get("identifier") else []),
            }
        )
    return answers


def is_short_placeholder(a) -> bool:
    return a["theme"] is None and len(a["text"].split()) <= 3


def compatible(a, resp) -> bool:
    if a["roles"] and resp["role"] not in a["roles"]:
        return False
    # do not let one respondent argue both sides of the same tension
    if a["tension"] is not None and a["side"] is not None:
        held = resp["sides"].get(a["tension"])
        if held is not None and held != a["side"]:
            return False
    return True


def answer_weight(a) -> float:
    # role-specific answers are scarcer, so strongly prefer the most specific ones while they
    # last; otherwise the common roles use up the answers anybody could have written
    n = len(a["roles"]) if a["roles"] else len(ROLES)
    return 1.0 / n**3


# ---------------------------------------------------------------- timestamps


def day_weights() -> list[tuple[date, float]]:
    out = []
    d = SURVEY_START
    while d <= SURVEY_END:
        k = (d - SURVEY_START).days
        w = 1.5 + 10.0 * (0.55**k)  # launch spike decaying to a baseline
        r = (d - REMINDER).days
        if r >= 0:
            w += 7.0 * (0.5**r)  # reminder bump
        if d.weekday() >= 5:
            w *= 0.45
        if d in (date(2026, 4, 3), date(2026, 4, 6)):  # Good Friday, Easter Monday
            w *= 0.5
        if d == SURVEY_END:
            w += 1.5  # "last chance" post
        out.append((d, w))
        d += timedelta(days=1)
    return out


HOUR_WEIGHTS = [
    0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.6, 1.5, 3.0, 4.2, 5.0, 5.0,
    5.2, 5.0, 4.8, 4.4, 3.8, 3.0, 2.8, 3.4, 3.8, 3.2, 2.0, 0.9,
]  # fmt: skip


def random_start(rng: random.Random, days) -> datetime:
    d = weighted(rng, [x[0] for x in days], [x[1] for x in days])
    hours = list(range(24))
    hw = list(HOUR_WEIGHTS)
    if d.weekday() >= 5:  # weekends: later mornings, flatter day
        hw = [w * (0.4 if h < 10 else 1.0) for h, w in zip(hours, hw, strict=True)]
    if d == SURVEY_START:  # launch email went out at 09:30
        hw = [w * (0.1 if h < 9 else (2.5 if h in (9, 10, 11) else 1.0)) for h, w in enumerate(hw)]
    h = weighted(rng, hours, hw)
    return datetime(d.year, d.month, d.day, h, rng.randrange(60), rng.randrange(60))


def sm_date(dt: datetime) -> str:
    return dt.strftime("%m/%d/%Y %I:%M:%S %p")


# ---------------------------------------------------------------- main


def main() -> int:
    rng = random.Random(SEED)
    base = json.loads(BASE_PATH.read_text(encoding="utf-8"))
    themes = set(base["themes"])
    tensions = {t["id"]: t for t in base["tensions"]}
    ideas = {i["id"] for i in base["ideas"]}

    pools = {q: load_pool(f, q, themes, tensions, ideas) for q, f in FREE_TEXT}

    # -- respondents: roles in the target mix, shuffled
    counts = {key: round(N_RESPONDENTS * share) for key, _, share in ROLES}
    counts["lived-experience"] += N_RESPONDENTS - sum(counts.values())
    roles = [k for k, n in counts.items() for _ in range(n)]
    rng.shuffle(roles)

    days = day_weights()
    starts = sorted(random_start(rng, days) for _ in range(N_RESPONDENTS))
    if starts[-1].date() > SURVEY_END:
        raise SystemExit("start date outside window")

    respondents = []
    rid = 11840000000 + rng.randrange(1_000_000, 9_000_000)
    prev = datetime(2026, 3, 9, 9, 0, 0)
    for i, (role, start) in enumerate(zip(roles, starts, strict=True)):
        gap = (start - prev).total_seconds()
        rid += int(gap * rng.uniform(180, 420)) + rng.randrange(1, 5000)
        prev = start
        collector = COLLECTOR_MAIN
        if start >= NEWSLETTER_FROM and rng.random() < 0.2:
            collector = COLLECTOR_NEWSLETTER
        age = weighted(rng, AGES, AGE_WEIGHTS[role])
        if rng.random() < 0.035:
            age = AGE_PNTS
        respondents.append(
            {
                "n": i,
                "id": str(rid),
                "collector": collector,
                "start": start,
                "role": role,
                "region": weighted(rng, [r for r, _ in REGIONS], [w for _, w in REGIONS]),
                "age": age,
                "partial": False,
                "answers": {},
                "sides": {},
            }
        )

    for r in rng.sample(respondents, N_PARTIAL):
        r["partial"] = True

    # -- free-text answers
    unfilled = Counter()
    placeholder_uses = Counter()
    for q, _ in FREE_TEXT:
        pool = pools[q]
        if not pool:
            continue
        real = [a for a in pool if a["theme"] is not None]
        nulls = [a for a in pool if a["theme"] is None]
        p_placeholder = PLACEHOLDER_RATE.get(q, len(nulls) / len(pool))
        used: set[int] = set()
        slots = [r for r in respondents if not r["partial"] and rng.random() >= BLANK_RATE[q]]
        rng.shuffle(slots)

        def give(resp, a, q=q, used=used):
            resp["answers"][q] = a
            used.add(a["idx"])
            if a["tension"] is not None and a["side"] is not None:
                resp["sides"].setdefault(a["tension"], a["side"])

        # answers carrying identifiers must appear: place them first
        for a in [a for a in real if a["identifiers"]]:
            cands = [r for r in slots if q not in r["answers"] and compatible(a, r)]
            if not cands:
                print(f"WARNING: nowhere to place identifier answer {a['text'][:40]!r}")
                continue
            give(rng.choice(cands), a)

        for resp in slots:
            if q in resp["answers"]:
                continue
            if nulls and rng.random() < p_placeholder:
                cands = [a for a in nulls if a["idx"] not in used and compatible(a, resp)]
                if not cands:
                    cands = [a for a in nulls if is_short_placeholder(a) and compatible(a, resp)]
                if cands:
                    a = rng.choice(cands)
                    resp["answers"][q] = a
                    used.add(a["idx"])
                    placeholder_uses[q] += 1
                    continue
            cands = [a for a in real if a["idx"] not in used and compatible(a, resp)]
            if not cands:
                unfilled[q] += 1
                continue
            give(resp, rng.choices(cands, weights=[answer_weight(a) for a in cands], k=1)[0])
        left = [a for a in real if a["idx"] not in used]
        print(
            f"{q[:40]!r}: {len(slots) - unfilled[q]} filled, {placeholder_uses[q]} placeholders, "
            f"{unfilled[q]} slots left blank (pool exhausted for role), "
            f"{len(left)} pool answers unused"
        )

    # -- tick-box answers that depend on what people wrote
    for r in respondents:
        for a in r["answers"].values():
            if a["ages"] and r["age"] not in a["ages"]:
                r["age"] = rng.choice(a["ages"])
        w = list(LIKERT_WEIGHTS[r["role"]])
        side = r["sides"].get("professionalise-vs-informal")
        if side == 0:
            w = [w[0] * 3, w[1] * 2.5, w[2], w[3] * 0.3, w[4] * 0.2, w[5] * 0.3]
        elif side == 1:
            w = [w[0] * 0.2, w[1] * 0.3, w[2], w[3] * 2.5, w[4] * 3, w[5] * 0.3]
        r["likert"] = weighted(rng, LIKERT, w)
        r["kinds"] = pick_kinds(rng, r)
        if r["partial"]:
            r["consent"] = ""
            if rng.random() < 0.4:  # some stopped even earlier
                r["kinds"] = set()
        else:
            r["consent"] = "Yes" if rng.random() < 0.855 else "No"

    # -- end dates: a few minutes, longer for people who wrote a lot
    for r in respondents:
        words = sum(len(a["text"].split()) for a in r["answers"].values())
        secs = rng.uniform(70, 260) + words * rng.uniform(2.2, 4.5)
        if r["partial"]:
            secs = rng.uniform(40, 150)
        elif rng.random() < 0.03:
            secs += rng.uniform(1800, 9000)  # left the tab open
        r["end"] = r["start"] + timedelta(seconds=int(secs))

    # -- the Lab's withdrawing person
    cands = [
        r
        for r in respondents
        if r["role"] == "lived-experience"
        and r["consent"] == "Yes"
        and all(q in r["answers"] and r["answers"][q]["theme"] for q, _ in FREE_TEXT if pools[q])
        and not any(a["identifiers"] for a in r["answers"].values())
    ]
    if not cands:  # fall back to two answered questions
        cands = [
            r
            for r in respondents
            if r["role"] == "lived-experience"
            and sum(1 for a in r["answers"].values() if a["theme"]) >= 2
            and not any(a["identifiers"] for a in r["answers"].values())
        ]
    withdrawing = rng.choice(cands)["id"] if cands else None

    write_csv(respondents)
    write_truth(respondents, withdrawing)
    report(respondents)
    return 0


def pick_kinds(rng: random.Random, r) -> set[str]:
    role, age = r["role"], r["age"]
    if rng.random() < 0.025:
        return set()  # skipped the question
    unsure_p = {"lived-experience": 0.07, "carer": 0.10}.get(role, 0.02)
    if rng.random() < unsure_p:
        return {"Not sure"}
    older = age in ("65-74", "75+")
    younger = age in ("Under 18", "18-24", "25-34")
    p = {
        "One-to-one in person": 0.62,
        "Group in person": 0.55,
        "Online group or forum": 0.38 + (0.2 if younger else 0) - (0.22 if older else 0),
        "Phone or video call": 0.45 - (0.08 if older else 0),
    }
    if role in ("peer-worker", "voluntary-sector", "clinician", "commissioner"):
        p = {k: min(0.92, v + 0.18) for k, v in p.items()}  # professionals tick more boxes
    chosen = {k for k, v in p.items() if rng.random() < v}
    if not chosen:
        chosen = {rng.choice(list(p))}
    return chosen


def write_csv(respondents) -> None:
    row1 = list(LEADING) + [Q_ROLE, Q_REGION, Q_AGE, Q_LIKERT, Q_KINDS]
    row1 += [""] * (len(KINDS) - 1) + [Q1, Q2, Q3, Q_CONSENT]
    row2 = [""] * len(LEADING) + ["Response"] * 4 + list(KINDS)
    row2 += ["Open-Ended Response"] * 3 + ["Response"]
    rows = [row1, row2]
    for r in respondents:
        row = [
            r["id"],
            r["collector"],
            sm_date(r["start"]),
            sm_date(r["end"]),
            "",
            "",
            "",
            "",
            "",
            ROLE_LABEL[r["role"]],
            r["region"],
            r["age"],
            r["likert"],
        ]
        row += [k if k in r["kinds"] else "" for k in KINDS]
        row += [r["answers"][q]["text"] if q in r["answers"] else "" for q, _ in FREE_TEXT]
        row.append(r["consent"])
        rows.append(row)
    CSV_PATH.parent.mkdir(parents=True, exist_ok=True)
    with CSV_PATH.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)


def write_truth(respondents, withdrawing) -> None:
    items, identifiers = [], []
    for r in respondents:
        row = r["n"] + 3  # two header rows; answers contain no line breaks
        for q, _ in FREE_TEXT:
            a = r["answers"].get(q)
            if not a or a["theme"] is None:
                continue
            item = {
                "file": CSV_REL,
                "row": row,
                "respondent": r["id"],
                "question": q,
                "theme": a["theme"],
            }
            if a["tension"] is not None:
                item["tension"] = a["tension"]
                if a["side"] is not None:
                    item["side"] = a["side"]
            if a["idea"] is not None:
                item["idea"] = a["idea"]
            items.append(item)
            for kind, value in a["identifiers"]:
                identifiers.append(
                    {
                        "type": kind,
                        "file": CSV_REL,
                        "row": row,
                        "value": value,
                        "respondent": r["id"],
                        "question": q,
                    }
                )
    role_counts = Counter(r["role"] for r in respondents)
    likert = {
        key: dict(Counter(r["likert"] for r in respondents if r["role"] == key))
        for key, _, _ in ROLES
    }
    truth = {
        "items": items,
        "identifiers": identifiers,
        "survey": {
            "file": CSV_REL,
            "respondents": len(respondents),
            "window": [SURVEY_START.isoformat(), SURVEY_END.isoformat()],
            "role_counts": {key: role_counts[key] for key, _, _ in ROLES},
            "partial_respondents": [r["id"] for r in respondents if r["partial"]],
            "quote_consent_no": [r["id"] for r in respondents if r["consent"] == "No"],
            "withdrawing_respondent": withdrawing,
            "likert_question": Q_LIKERT,
            "likert_by_role": {k: {o: v.get(o, 0) for o in LIKERT} for k, v in likert.items()},
        },
    }
    TRUTH_PATH.parent.mkdir(parents=True, exist_ok=True)
    TRUTH_PATH.write_text(json.dumps(truth, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def report(respondents) -> None:
    print(f"{len(respondents)} respondents -> {CSV_REL}")
    print("roles:", dict(Counter(r["role"] for r in respondents)))
    by_day = Counter(r["start"].date() for r in respondents)
    print("busiest days:", [(d.isoformat(), n) for d, n in by_day.most_common(5)])
    agree = {}
    for key, _, _ in ROLES:
        rs = [r for r in respondents if r["role"] == key]
        a = sum(1 for r in rs if r["likert"] in ("Strongly agree", "Agree"))
        d = sum(1 for r in rs if r["likert"] in ("Disagree", "Strongly disagree"))
        agree[key] = f"{100 * a // len(rs)}% agree / {100 * d // len(rs)}% disagree"
    print("qualification Likert by role:", json.dumps(agree, indent=1))


if __name__ == "__main__":
    sys.exit(main())
