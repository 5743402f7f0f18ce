"""The optional language model: one chat completion from an OpenAI-compatible server at
QLAB_LLM_URL (a local Ollama or llama.cpp server), with the standard library only. Every caller
checks what comes back against the Lab's own words before using any of it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from lab_app.core.settings import setting

TIMEOUT_SECONDS = 180


def llm_url() -> str:
    """The configured server's address, or "" when there is none."""
    return str(setting("llm_url")).strip()


def endpoint(url: str) -> str:
    """The chat-completions address for a server URL given with or without /v1."""
    url = url.strip().rstrip("/")
    if url.endswith("/chat/completions"):
        return url
    return f"{url}/chat/completions" if url.endswith("/v1") else f"{url}/v1/chat/completions"


def chat(
    url: str, system: str, user: str, temperature: float = 0.2, timeout: float = TIMEOUT_SECONDS
) -> str:
    """One chat completion: the system instructions and one user message; the answer's text."""
    payload = {
        "model": setting("llm_model"),
        "temperature": temperature,
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
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
        raise ValueError(f"the model server answered {err.code}: check QLAB_LLM_URL") from None
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise ValueError(f"cannot reach the model server ({reason}): check QLAB_LLM_URL") from None
    except ValueError:
        raise ValueError(
            "the model server's answer is not JSON: is it OpenAI-compatible?"
        ) from None
    try:
        return str(answer["choices"][0]["message"]["content"])
    except (KeyError, IndexError, TypeError):
        raise ValueError("the model server's answer has no choices[0].message.content") from None
