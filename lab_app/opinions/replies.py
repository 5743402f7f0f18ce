"""Sides in a conversation: replies that push back or agree, joined into two camps per exchange."""

# A reply that opens "but", "with respect", "I hear you, but" disagrees with the post it answers;
# one that opens "same", "agreed", "I'm with …" sides with it. Following those links through a
# thread puts people in two camps, so a side is several people, not one quote. Links between
# posts of the same person are left out. A thread is a tree, so the camps never contradict
# each other; the check below only guards against a malformed export.

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Discourse markers of disagreement at the start of a reply or of one of its first sentences:
# the general English ones (open or hedged disagreement, conceding before objecting).
_PUSHBACK = re.compile(
    r"(?:^|[.!?]\s+)(?:i disagree|i don't agree|i'm not sure|i am not sure|with respect|"
    r"respectfully|i hear (?:you|that|what|the)|i see what you mean|i take your point|"
    r"i understand\b.{0,40}\bbut|i'd push back|i would push back|on the other hand|"
    # conceding, then objecting within the sentence: "I'm glad it worked for you but …"
    r"(?:i'm glad|i am glad|i (?:totally |completely )?get (?:that|it|you)|i know|"
    r"i appreciate|i can see|fair enough)\b[^.!?]{0,50}\bbut|"
    r"not so sure|i'm not saying|sorry,? but)\b",
    re.IGNORECASE,
)
# A plain "but" or "however" pushes back when it opens the reply, or the sentence after a short
# concession ("Fair point. But …"); further in, it is more often the writer's own contrast
# ("It's not big. But it's protected").
_CONTRAST = re.compile(r"^\W*(?:[^.!?]{0,80}[.!?]\s+)?(?:but|however)\b", re.IGNORECASE)
# Markers of agreement that open a reply.
_AGREE = re.compile(
    r"^\W*(?:same|agreed?\b|i agree|i'd agree|totally agree|exactly|absolutely|yes\b|"
    r"spot on|well said|hear,? hear|\+1|this\.|seconded|couldn't agree|so true|"
    r"i'm (?:\w+ )?with|i am (?:\w+ )?with)",
    re.IGNORECASE,
)
_OPENING = 240  # characters searched: pushback opens a reply, it is not buried in it


def pushes_back(text: str) -> bool:
    """Does this reply open (or open a sentence) with a marker of disagreement?"""
    opening = (text or "")[:_OPENING]
    return bool(_PUSHBACK.search(opening) or _CONTRAST.search(opening))


def agrees(text: str) -> bool:
    """Does this reply open by siding with the post it answers (and not push back after)?"""
    return bool(_AGREE.search(text or "")) and not pushes_back(text)


@dataclass
class Camps:
    """One exchange split in two: the rows on each side and the pushback links between them."""

    sides: tuple[list, list] = field(default_factory=lambda: ([], []))
    pushback: list[tuple] = field(default_factory=list)  # (row on side 0, row on side 1)

    def people(self) -> list[int]:
        return [len({r.person for r in side}) for side in self.sides]


def links(rows) -> list[tuple]:
    """(post, reply, -1 pushback | +1 agreement) among these rows, between different people."""
    posts = {}
    for row in rows:
        meta = row.meta or {}
        if meta.get("id"):
            posts[(row.source_id, meta.get("thread"), meta["id"])] = row
    found = []
    for reply in rows:
        meta = reply.meta or {}
        post = posts.get((reply.source_id, meta.get("thread"), meta.get("parent")))
        if post is None or not reply.person or not post.person or reply.person == post.person:
            continue
        if pushes_back(reply.text):
            found.append((post, reply, -1))
        elif agrees(reply.text):
            found.append((post, reply, 1))
    return found


def camps(rows) -> list[Camps]:
    """The exchanges among these rows that hold at least one pushback, each split in two sides
    (two-colouring the links: pushback across, agreement within)."""
    parent: dict[str, tuple[str, int]] = {}  # id -> (parent id, parity to it)
    by_id = {row.id: row for row in rows}

    def find(node: str) -> tuple[str, int]:
        parity = 0
        while parent.get(node, (node, 0))[0] != node:
            node, step = parent[node]
            parity ^= step
        return node, parity

    kept = []
    for post, reply, sign in links(rows):
        (root_a, pa), (root_b, pb) = find(post.id), find(reply.id)
        apart = 1 if sign < 0 else 0
        if root_a == root_b:
            if pa ^ pb == apart:
                kept.append((post, reply, sign))
            continue  # contradicts the camps drawn so far: left out
        parent[root_b] = (root_a, pa ^ pb ^ apart)
        parent.setdefault(root_a, (root_a, 0))
        kept.append((post, reply, sign))
    groups: dict[str, Camps] = {}
    first_side: dict[str, int] = {}
    for post, _, sign in kept:
        if sign < 0:
            root, parity = find(post.id)
            first_side.setdefault(root, parity)  # side 0: the first post pushed back on
    for node in sorted({n for p, r, _ in kept for n in (p.id, r.id)}):
        root, parity = find(node)
        if root in first_side:
            groups.setdefault(root, Camps()).sides[parity ^ first_side[root]].append(by_id[node])
    for post, reply, sign in kept:
        root, parity = find(post.id)
        if sign < 0 and root in groups:
            pair = (post, reply) if parity == first_side[root] else (reply, post)
            groups[root].pushback.append(pair)
    return sorted(groups.values(), key=lambda c: (-min(c.people()), -len(c.pushback)))
