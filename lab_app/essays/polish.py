"""Optional prose polishing by a local model server (QLAB_LLM_URL, OpenAI-compatible): a
section rewritten as flowing prose is kept only if every quotation is still verbatim, every
marker still resolves, and no source was invented."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

from lab_app.essays import store
from lab_app.essays.grounding import check_body
from lab_app.essays.markup import body_markers

URL_VARIABLE = "QLAB_LLM_URL"
MODEL_VARIABLE = "QLAB_LLM_MODEL"
TIMEOUT_SECONDS = 180
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
    return bool(os.environ.get(URL_VARIABLE, "").strip())


def endpoint(url: str) -> str:
    """The chat-completions address for a server URL given with or without /v1."""
    url = url.strip().rstrip("/")
    if url.endswith("/chat/completions"):
        return url
    return f"{url}/chat/completions" if url.endswith("/v1") else f"{url}/v1/chat/completions"


def polish_section(engine, essay_id: int, key: str, who: str, url: str | None = None) -> int:
    """Ask the model to rewrite a section; save the rewrite as a new version when it passes the
    quotation check, else raise ValueError and keep the section as it was."""
    url = url or os.environ.get(URL_VARIABLE, "").strip()
    if not url:
        raise ValueError(f"prose polishing is off: set {URL_VARIABLE} to a local model server")
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
    """One chat completion from an OpenAI-compatible server (standard library only)."""
    payload = {
        "model": os.environ.get(MODEL_VARIABLE, "local"),
        "temperature": 0.2,
        "messages": [
            {"role": "system", "content": instructions.format(audience=audience)},
            {"role": "user", "content": body},
        ],
    }
    request = urllib.request.Request(
        endpoint(url),
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as err:
        raise ValueError(f"the model server answered {err.code}: check {URL_VARIABLE}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise ValueError(
            f"cannot reach the model server ({reason}): check {URL_VARIABLE}"
        ) from None
    except ValueError:
        raise ValueError(
            "the model server's answer is not JSON: is it OpenAI-compatible?"
        ) from None
    try:
        return str(answer["choices"][0]["message"]["content"])
    except (KeyError, IndexError, TypeError):
        raise ValueError("the model server's answer has no choices[0].message.content") from None


def strip_fence(text: str) -> str:
    """Models often wrap Markdown in ``` fences; the section itself is inside."""
    stripped = text.strip()
    if stripped.startswith("```") and stripped.endswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        stripped = stripped[: stripped.rfind("```")]
    return stripped
