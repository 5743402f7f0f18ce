"""The server route that sets and clears the sign-in cookie, HttpOnly: a Streamlit script cannot
set response headers, so the page trades a one-time code for the cookie here (ui/server.py)."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lab_app.core.settings import Settings
from lab_app.material.store import Store
from lab_app.people import sessions as browser_sessions

PATH = "qlab-session"  # under the app's base URL path; Streamlit reserves only /_stcore etc.
MAX_BODY = 200


def cookie_path(base_url_path: str) -> str:
    """Where the cookie applies: the app's own base path, so apps sharing a host do not see it."""
    return "/" + (base_url_path or "").strip("/")


def routes(base_url_path: str) -> list[Route]:
    """POST {base}/qlab-session with a code sets the cookie; POST .../end clears it."""
    base = cookie_path(base_url_path).rstrip("/")
    path = cookie_path(base_url_path)

    async def start(request: Request) -> Response:
        if not _same_origin(request):
            return Response("cross-site request refused", status_code=403)
        code = (await request.body())[:MAX_BODY].decode("ascii", "replace").strip()
        engine = _engine(str(Settings.from_env().home))
        token = await run_in_threadpool(browser_sessions.redeem, engine, code)
        if token is None:
            return Response("sign-in code unknown or spent: sign in again", status_code=403)
        response = Response(status_code=204)
        response.set_cookie(
            browser_sessions.COOKIE,
            token,
            path=path,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )  # no max-age: the cookie goes when the browser closes; the server ends it sooner
        return response

    async def end(request: Request) -> Response:
        if not _same_origin(request):
            return Response("cross-site request refused", status_code=403)
        token = request.cookies.get(browser_sessions.COOKIE)
        if token:  # the page ended it already; ending it here too costs nothing
            engine = _engine(str(Settings.from_env().home))
            await run_in_threadpool(browser_sessions.end, engine, token)
        response = Response(status_code=204)
        response.delete_cookie(browser_sessions.COOKIE, path=path, httponly=True, samesite="strict")
        return response

    return [
        Route(f"{base}/{PATH}", start, methods=["POST"]),
        Route(f"{base}/{PATH}/end", end, methods=["POST"]),
    ]


@lru_cache(maxsize=4)
def _engine(home: str):
    # The store alone (no index, no model): this route reads and deletes one row.
    return Store(Settings.from_env(home=home).sqlalchemy_url).engine


def _same_origin(request: Request) -> bool:
    """Only the app's own pages may set or clear its cookie: another site's form posting a
    code of its own could otherwise sign a visitor's browser in as someone else."""
    origin = request.headers.get("origin")
    host = request.headers.get("host")
    return bool(origin and host) and urlsplit(origin).netloc == host
