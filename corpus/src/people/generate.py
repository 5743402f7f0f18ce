"""Build the demo Lab's participant contributions from the hand-written YAML sources.

Sources (all in this folder, all fictional):
  people.yaml  handle -> role and default consent to be quoted
  posts.yaml   online-space threads; each post has a thread-local key, text and labels
  notes.yaml   workshop sticky notes and scribe notes, grouped by workshop

Outputs (paths relative to the corpus folder):
  peer-support-lab/contributions/online-space.json
  peer-support-lab/contributions/workshop-notes.csv
  src/truth/contributions.json

Deterministic: ids are assigned by sorting on date then source order; no wall clock,
no randomness. Run with `python corpus/src/people/generate.py` from the repository root
(or from anywhere: paths are resolved relative to this file).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent
BASE = CORPUS / "src" / "truth" / "base.json"
OUT_POSTS = CORPUS / "peer-support-lab" / "contributions" / "online-space.json"
OUT_NOTES = CORPUS / "peer-support-lab" / "contributions" / "workshop-notes.csv"
OUT_TRUTH = CORPUS / "src" / "truth" / "contributions.json"

POSTS_REL = "contributions/online-space.json"
NOTES_REL = "contributions/workshop-notes.csv"

ROLES = {
    "lived experience",
    "carer",
    "peer worker",
    "clinician",
    "commissioner",
    "voluntary sector",
}
STANCES = {"proposes", "supports", "doubts"}
WITHDRAWING = "maple_and_moss"

# Planted identifiers are found by pattern, so any accidental extra match fails the build.
PATTERNS = {
    "PHONE": re.compile(r"\b07\d{3} ?\d{3} ?\d{3}\b"),
    "EMAIL": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    "POSTCODE": re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b"),
}
EXPECTED_IDENTIFIERS = {"PHONE": 1, "EMAIL": 1, "POSTCODE": 1}

NOTE_COLUMNS = ["note_id", "workshop", "date", "table", "author", "text"]


class SourceError(ValueError):
    """Raised when the YAML sources are inconsistent."""


def load_yaml(name: str):
    with (HERE / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def parse_when(value, where: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, second=0, microsecond=0)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value).strip().replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise SourceError(f"{where}: cannot read date {value!r}")


def clean_text(text: str) -> str:
    """Strip YAML block padding; keep paragraph breaks as blank lines."""
    lines = [line.rstrip() for line in str(text).strip().splitlines()]
    return "\n".join(lines)


def check_labels(item: dict, base: dict, where: str) -> None:
    theme = item.get("theme")
    if theme is not None and theme not in base["themes"]:
        raise SourceError(f"{where}: unknown theme {theme!r}")
    tensions = {t["id"] for t in base["tensions"]}
    if "tension" in item:
        if item["tension"] not in tensions:
            raise SourceError(f"{where}: unknown tension {item['tension']!r}")
        if item.get("side") not in (0, 1):
            raise SourceError(f"{where}: tension needs side 0 or 1")
    elif "side" in item:
        raise SourceError(f"{where}: side without tension")
    ideas = {i["id"] for i in base["ideas"]}
    if "idea" in item:
        if item["idea"] not in ideas:
            raise SourceError(f"{where}: unknown idea {item['idea']!r}")
        if item.get("stance") not in STANCES:
            raise SourceError(f"{where}: idea needs a stance in {sorted(STANCES)}")
    elif "stance" in item:
        raise SourceError(f"{where}: stance without idea")
    if theme is None and ("tension" in item or "idea" in item):
        raise SourceError(f"{where}: labelled post needs a theme")


def build_posts(people: dict, base: dict, start: dt.datetime, end: dt.datetime) -> list[dict]:
    threads = load_yaml("posts.yaml")["threads"]
    titles = [t["thread"] for t in threads]
    if len(set(titles)) != len(titles):
        raise SourceError("posts.yaml: duplicate thread titles")
    raw = []
    for t_index, thread in enumerate(threads):
        title = thread["thread"]
        keys: dict[str, dict] = {}
        posts = thread["posts"]
        if len(posts) < 2:
            raise SourceError(f"thread {title!r}: needs at least one reply")
        for p_index, post in enumerate(posts):
            where = f"thread {title!r} post {post.get('k')!r}"
            key = str(post["k"])
            if key in keys:
                raise SourceError(f"{where}: duplicate key")
            author = post["author"]
            if author not in people:
                raise SourceError(f"{where}: unknown author {author!r}")
            when = parse_when(post["date"], where)
            if not start <= when <= end:
                raise SourceError(f"{where}: date {when} outside the Lab year")
            parent = post.get("reply_to")
            if p_index == 0 and parent is not None:
                raise SourceError(f"{where}: first post of a thread cannot be a reply")
            if p_index > 0 and parent is None:
                raise SourceError(f"{where}: replies need reply_to")
            if parent is not None:
                parent = str(parent)
                if parent not in keys:
                    raise SourceError(f"{where}: reply_to {parent!r} not earlier in thread")
                if when <= keys[parent]["when"]:
                    raise SourceError(f"{where}: reply is not after its parent")
            check_labels(post, base, where)
            record = {
                "key": key,
                "thread_index": t_index,
                "order": p_index,
                "thread": title,
                "parent_key": parent,
                "author": author,
                "when": when,
                "post": post,
            }
            keys[key] = record
            raw.append(record)
    raw.sort(key=lambda r: (r["when"], r["thread_index"], r["order"]))
    ids = {}
    for n, record in enumerate(raw, start=1):
        ids[(record["thread_index"], record["key"])] = f"p{n:04d}"
    out = []
    for record in raw:
        post = record["post"]
        person = people[record["author"]]
        consent = post.get("consent_quote", person["consent_quote"])
        parent_id = None
        if record["parent_key"] is not None:
            parent_id = ids[(record["thread_index"], record["parent_key"])]
        out.append(
            {
                "id": ids[(record["thread_index"], record["key"])],
                "thread": record["thread"],
                "parent": parent_id,
                "author": record["author"],
                "date": record["when"].strftime("%Y-%m-%dT%H:%M:%S"),
                "role": person["role"],
                "text": clean_text(post["text"]),
                "consent_quote": bool(consent),
                "_labels": post,
            }
        )
    return out


def build_notes(people: dict, base: dict) -> list[dict]:
    workshops = load_yaml("notes.yaml")["workshops"]
    raw = []
    for w_index, workshop in enumerate(workshops):
        name = workshop["workshop"]
        day = parse_when(workshop["date"], name).date()
        for n_index, note in enumerate(workshop["notes"]):
            where = f"workshop {name!r} note {n_index + 1}"
            if note["author"] not in people:
                raise SourceError(f"{where}: unknown author {note['author']!r}")
            check_labels(note, base, where)
            raw.append((day, w_index, n_index, name, note))
    raw.sort(key=lambda r: (r[0], r[1], r[2]))
    out = []
    for n, (day, _w, _n, name, note) in enumerate(raw, start=1):
        out.append(
            {
                "note_id": f"n{n:04d}",
                "workshop": name,
                "date": day.isoformat(),
                "table": str(note["table"]),
                "author": note["author"],
                "text": clean_text(note["text"]),
                "_labels": note,
            }
        )
    return out


def truth_item(file: str, item_id: str, labels: dict) -> dict:
    item = {"file": file, "id": item_id, "theme": labels["theme"]}
    if "tension" in labels:
        item["tension"] = labels["tension"]
        item["side"] = labels["side"]
    if "idea" in labels:
        item["idea"] = labels["idea"]
        item["stance"] = labels["stance"]
    return item


def find_identifiers(posts: list[dict], notes: list[dict]) -> list[dict]:
    found = []
    sources = [(POSTS_REL, p["id"], p["text"]) for p in posts]
    sources += [(NOTES_REL, n["note_id"], n["text"]) for n in notes]
    for kind, pattern in PATTERNS.items():
        for file, item_id, text in sources:
            for match in pattern.finditer(text):
                found.append({"type": kind, "file": file, "id": item_id, "value": match.group(0)})
    counts = {kind: sum(1 for f in found if f["type"] == kind) for kind in PATTERNS}
    if counts != EXPECTED_IDENTIFIERS:
        raise SourceError(f"identifier counts {counts}, expected {EXPECTED_IDENTIFIERS}: {found}")
    postcode = next(f for f in found if f["type"] == "POSTCODE")
    if postcode["file"] != NOTES_REL:
        raise SourceError("the postcode should be planted in a workshop note")
    for kind in ("PHONE", "EMAIL"):
        hit = next(f for f in found if f["type"] == kind)
        if hit["file"] != POSTS_REL:
            raise SourceError(f"the {kind} should be planted in an online post")
    return found


def render_csv(notes: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=NOTE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for note in notes:
        writer.writerow({k: note[k] for k in NOTE_COLUMNS})
    return buf.getvalue()


def main() -> int:
    base = json.loads(BASE.read_text(encoding="utf-8"))
    people = load_yaml("people.yaml")["people"]
    for handle, person in people.items():
        if person["role"] not in ROLES:
            raise SourceError(f"people.yaml: {handle!r} has unknown role {person['role']!r}")
    start = dt.datetime.fromisoformat(base["lab"]["start"])
    end = dt.datetime.fromisoformat(base["lab"]["end"]) + dt.timedelta(days=1)

    posts = build_posts(people, base, start, end)
    notes = build_notes(people, base)

    withdrawing = [p for p in posts if p["author"] == WITHDRAWING]
    if not 5 <= len(withdrawing) <= 7:
        raise SourceError(f"{WITHDRAWING} should have 5-7 posts, has {len(withdrawing)}")
    if people[WITHDRAWING]["role"] != "lived experience":
        raise SourceError(f"{WITHDRAWING} should be a person with lived experience")

    identifiers = find_identifiers(posts, notes)

    labelled = [(POSTS_REL, p["id"], p["_labels"]) for p in posts]
    labelled += [(NOTES_REL, n["note_id"], n["_labels"]) for n in notes]
    items = [
        truth_item(file, item_id, labels)
        for file, item_id, labels in labelled
        if labels.get("theme")
    ]
    timeline = [
        {
            "idea": p["_labels"]["idea"],
            "post": p["id"],
            "date": p["date"],
            "stance": p["_labels"]["stance"],
        }
        for p in posts
        if "idea" in p["_labels"]
    ]
    timeline.sort(key=lambda e: (e["idea"], e["date"], e["post"]))
    truth = {
        "items": items,
        "identifiers": identifiers,
        "withdrawing_person": WITHDRAWING,
        "ideas_timeline": timeline,
        "contributions": {
            "posts": len(posts),
            "notes": len(notes),
            "authors": len({p["author"] for p in posts}),
            "threads": len({p["thread"] for p in posts}),
            "note_authors": len({n["author"] for n in notes}),
        },
    }

    public_posts = [{k: v for k, v in p.items() if not k.startswith("_")} for p in posts]
    OUT_POSTS.parent.mkdir(parents=True, exist_ok=True)
    OUT_POSTS.write_text(
        json.dumps(public_posts, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    OUT_NOTES.write_text(render_csv(notes), encoding="utf-8", newline="")
    OUT_TRUTH.write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    c = truth["contributions"]
    print(
        f"{c['posts']} posts in {c['threads']} threads by {c['authors']} authors; "
        f"{c['notes']} workshop notes; {len(identifiers)} planted identifiers"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
