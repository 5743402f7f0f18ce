"""Optional prose polishing by a local model server (QLAB_LLM_URL, OpenAI-compatible): a
section rewritten as flowing prose is kept only if every quotation is still verbatim, every
marker still resolves, and no source was invented."""

from __future__ import annotations

from lab_app.core.llm import TIMEOUT_SECONDS, chat, llm_url
from lab_app.essays import store
from lab_app.essays.grounding import check_body
from lab_app.essays.markup import body_markers

INSTRUCTIONS = (
    "You edit sections of a report written for {audience}. Rewrite the section you are given "
    "as flowing, plain English prose in Markdown. Rules you must keep: every passage inside "
    "curly double quotation marks “…” and every blockquote (lines starting with '>') is a "
    "participant's or document's exact words: copy each one character for character, with "
    "the marker that follows it, such as [#3f2a…]; never change, shorten or merge them. Keep "
    "the '### ' sub-headings and any line reading [chart]. Do not add quotations, markers, "
    "facts or numbers that are not in the section. Answer with the rewritten section only."
)


def polish_enabled() -> bool:
    return bool(llm_url())


def polish_section(engine, essay_id: int, key: str, who: str, url: str | None = None) -> int:
    """Ask the model to rewrite a section; save the rewrite as a new version when it passes the
    quotation check, else raise ValueError and keep the section as it was."""
    url = url or llm_url()
    if not url:
        raise ValueError("prose polishing is off: set QLAB_LLM_URL to a local model server")
    essay = store.load_essay(engine, essay_id)
    section = store.section_of(essay, key)
    rewrite = strip_fence(ask(url, section["body"], essay["audience"] or "a general reader"))
    if not rewrite.strip():
        raise ValueError("the model sent back an empty section: the section is unchanged")
    problems = check_body(engine, section["heading"], rewrite)
    invented = set(body_markers(rewrite)) - set(body_markers(section["body"]))
    if problems:
        raise ValueError(
            f"the rewrite was refused and the section is unchanged: {problems[0].line()}"
        )
    if invented:
        raise ValueError(
            "the rewrite was refused and the section is unchanged: it cites sources the "
            "section did not"
        )
    return store.save_section(engine, essay_id, key, rewrite.strip() + "\n", who)


def ask(
    url: str,
    body: str,
    audience: str,
    instructions: str = INSTRUCTIONS,
    timeout: float = TIMEOUT_SECONDS,
) -> str:
    """The model's rewrite of one text, under the given instructions (a section by default)."""
    return chat(url, instructions.format(audience=audience), body, timeout=timeout)


def strip_fence(text: str) -> str:
    """Models often wrap Markdown in ``` fences; the section itself is inside."""
    stripped = text.strip()
    if stripped.startswith("```") and stripped.endswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        stripped = stripped[: stripped.rfind("```")]
    return stripped
