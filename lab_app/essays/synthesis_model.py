"""A theme's synthesis, optionally rewritten by the local model at QLAB_LLM_URL: the rewrite is
kept only if every sentence cites an extract the extractive text cited, every quotation is
verbatim, and nothing (no number, no source) is added; otherwise the extractive text stands."""

from __future__ import annotations

import re

from lab_app.core.llm import llm_url
from lab_app.essays.grounding import check_body
from lab_app.essays.markup import BODY_MARKER, body_markers
from lab_app.essays.points import point_synthesis
from lab_app.essays.polish import ask, strip_fence
from lab_app.essays.synthesis import Synthesis, synthesise

TIMEOUT_SECONDS = 90  # per theme: a draft of eight themes should not hang for long
INSTRUCTIONS = (
    "You edit one paragraph of a report written for {audience}. The paragraph quotes people "
    "and documents: each quotation is inside curly double quotation marks “…” and is followed "
    "by a marker such as [#3f2a…]. Rewrite it as flowing, plain English prose. Rules you must "
    "keep: copy every quotation you keep character for character, with its marker right after "
    "it; every sentence you write must contain the marker of the extract it draws on; add no "
    "quotation, marker, fact, number or name that is not in the paragraph; keep it one "
    "paragraph. Answer with the paragraph only."
)
_QUOTED = re.compile(r"“[^“”]*”")
_SENTENCE_END = re.compile(r"(?<=[.!?”\]])\s+(?=[A-Z“‘])")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def theme_synthesis(
    workspace, theme, count: int, documents: dict[str, dict], audience: str = "", points=()
) -> Synthesis:
    """The extractive synthesis of a theme (one person's words per point when it has points,
    else its central, varied sentences), rewritten by the model when one is configured and
    its rewrite passes every check; `how` says which was kept and, after a refusal, why."""
    extractive = point_synthesis(workspace, theme, list(points), documents) if points else None
    if not extractive or not extractive.text:
        extractive = synthesise(workspace, theme.extracts, count, documents)
    url = llm_url()
    if not url or not extractive.text:
        return extractive
    by_points = extractive.by_points
    engine = workspace.store.engine
    try:
        answer = ask(
            url, extractive.text, audience or "a general reader", INSTRUCTIONS, TIMEOUT_SECONDS
        )
    except ValueError as err:
        return Synthesis(extractive.text, extractive.used, f"extractive ({err})", by_points)
    rewrite = " ".join(strip_fence(answer).split())
    problem = rewrite_problem(engine, extractive.text, rewrite)
    if problem:
        how = f"extractive (the model's rewrite was refused: {problem})"
        return Synthesis(extractive.text, extractive.used, how, by_points)
    return Synthesis(rewrite, set(body_markers(rewrite)), "model", by_points)


def rewrite_problem(engine, original: str, rewrite: str) -> str | None:
    """Why a rewrite of the synthesis may not replace it, or None when it passes."""
    if not rewrite.strip():
        return "it is empty"
    if rewrite.lstrip().startswith(("#", ">", "- ", "* ", "[chart]")):
        return "it is not one paragraph of prose"
    problems = check_body(engine, "synthesis", rewrite)
    if problems:
        return problems[0].reason
    if set(body_markers(rewrite)) - set(body_markers(original)):
        return "it cites an extract the synthesis did not"
    for number, sentence in enumerate(claims(rewrite), 1):
        if not BODY_MARKER.search(sentence):
            return f"its sentence {number} cites no extract"
    given = set(_NUMBER.findall(BODY_MARKER.sub(" ", original)))
    added = set(_NUMBER.findall(_unquoted(rewrite))) - given
    if added:
        return "it gives a number the extracts do not"
    return None


def claims(text: str) -> list[str]:
    """The text's sentences, quotations kept whole (a full stop inside one ends nothing)."""
    masked = _QUOTED.sub(lambda m: "“Q" + _end_of(m.group(0)) + "”", text)
    return [s for s in _SENTENCE_END.split(masked.strip()) if s.strip()]


def _end_of(quoted: str) -> str:
    return quoted[-2] if len(quoted) > 2 and quoted[-2] in ".!?" else ""


def _unquoted(text: str) -> str:
    """The text without its quotations and markers: the model's own words."""
    return BODY_MARKER.sub(" ", _QUOTED.sub(" ", text))
