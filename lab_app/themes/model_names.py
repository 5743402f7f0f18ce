"""Optional theme names from a local model (QLAB_LLM_URL): accepted only when grounded.

The model proposes a name, a one-sentence summary and the phrases it relied on. The proposal
is kept only if every quoted phrase is verbatim in the theme's extracts, every content word of
the name and most of the summary's are words those extracts use, and the name is a clean
2-6 word label; otherwise the built-in label stands.
"""

from __future__ import annotations

import json
import re

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from lab_app.core.llm import chat, llm_url

SUMMARY_GROUNDED = 0.8  # share of the summary's content words the extracts must use
INSTRUCTIONS = (
    "You name themes found in qualitative health-and-care material. You are given extracts "
    'from one theme. Answer with JSON only: {"name": a 2-6 word noun phrase saying what the '
    'theme is about, "summary": one plain sentence, "quotes": 1-3 short phrases copied '
    "exactly from the extracts that show it}. Use the extracts' own words; no names of people."
)


def enabled() -> bool:
    return bool(llm_url())


def propose(extracts: list[str], url: str | None = None) -> dict | None:
    """The model's proposal as a dict, or None when the server fails or answers nonsense."""
    try:
        listed = "\n".join(f"- {e}" for e in extracts)
        content = chat(url or llm_url(), INSTRUCTIONS, listed, temperature=0, timeout=60)
        found = json.loads(re.search(r"\{.*\}", content, re.DOTALL).group(0))
    except (ValueError, AttributeError):
        return None  # the built-in label stands; a model is optional
    return found if isinstance(found, dict) else None


def _words(text: str) -> set[str]:
    return {_fold(w) for w in re.findall(r"[a-z]+", text.lower())}


def _fold(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _content(text: str) -> list[str]:
    words = re.findall(r"[a-z]+", text.lower())
    return [_fold(w) for w in words if len(w) > 2 and w not in ENGLISH_STOP_WORDS]


def refusal(proposal: dict, extracts: list[str]) -> str | None:
    """Why a proposal is refused, or None to accept it."""
    from lab_app.themes.label_check import label_faults, names_in

    name, summary = str(proposal.get("name", "")).strip(), str(proposal.get("summary", ""))
    quotes = [str(q) for q in proposal.get("quotes") or []]
    flat = [" ".join(e.lower().split()) for e in extracts]
    used = set().union(*(_words(e) for e in extracts)) if extracts else set()
    if not 2 <= len(name.split()) <= 6 or label_faults(name, names_in(extracts)):
        return f"the name {name!r} is not a clean 2-6 word label"
    if not quotes or any(not any(" ".join(q.lower().split()) in e for e in flat) for q in quotes):
        return "a quoted phrase is not verbatim in the theme's extracts"
    if any(w not in used for w in _content(name)):
        return f"the name {name!r} uses words the extracts do not"
    said = _content(summary)
    if not said or sum(w in used for w in said) < SUMMARY_GROUNDED * len(said):
        return "the summary is not grounded in the extracts"
    return None


def improve(label: str, extracts: list[str], url: str | None = None) -> tuple[str, str | None]:
    """(label, summary): the model's when its proposal passes, else the built-in label."""
    proposal = propose(extracts, url)
    if proposal is None or refusal(proposal, extracts):
        return label, None
    name = str(proposal["name"]).strip()
    return name[0].upper() + name[1:], " ".join(str(proposal["summary"]).split())
