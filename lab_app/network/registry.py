"""The deployment's Labs: each a slug, a name and a workspace of its own (docs/labs.md).

The default Lab is the workspace the settings name (QLAB_HOME, or QLAB_DATABASE_URL and
QLAB_CHROMA_URL): it keeps the registry and every account, so a deployment that never adds a
Lab is exactly the single-Lab workspace it always was. Every other Lab gets its own store and
index derived from those settings: on SQLite a folder `labs/SLUG` under the home; on
PostgreSQL a schema `lab_SLUG` in the same database; on Chroma a collection `NAME-SLUG`.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, replace

from sqlalchemy import create_engine, insert, make_url, select, text
from sqlalchemy.exc import IntegrityError

from lab_app.core.audit import now, record_audit
from lab_app.core.schema import labs
from lab_app.core.settings import Settings
from lab_app.workspace import Workspace
from lab_app.year import profile

DEFAULT = "default"
DEFAULT_NAME = "Default Lab"
LIST_SECONDS = 5.0
# Lower-case letters, digits and hyphens, 3-40 characters: safe as a folder, a PostgreSQL
# schema (hyphens become underscores, which a slug cannot hold, so no two Labs collide) and
# a Chroma collection name.
SLUG = re.compile(r"[a-z][a-z0-9-]{1,38}[a-z0-9]")


@dataclass(frozen=True)
class Lab:
    slug: str
    name: str

    @property
    def is_default(self) -> bool:
        return self.slug == DEFAULT


def check_slug(slug: str) -> str:
    slug = (slug or "").strip()
    if not SLUG.fullmatch(slug) or "--" in slug:
        raise ValueError(
            f"{slug!r} is not a Lab slug: use 3-40 lower-case letters, digits and single "
            "hyphens, starting with a letter (e.g. north-east)"
        )
    return slug


def schema_name(slug: str) -> str:
    """The PostgreSQL schema holding a Lab's tables."""
    return "lab_" + slug.replace("-", "_")


def lab_settings(settings: Settings, slug: str) -> Settings:
    """The settings of a Lab's own workspace, derived from the deployment's."""
    base = replace(settings, lab="")
    if slug in ("", DEFAULT):
        return base
    url = base.database_url
    if url:  # the same database, this Lab's schema first on the search path
        parsed = make_url(url)
        options = f"{parsed.query.get('options', '')} -csearch_path={schema_name(slug)}"
        url = parsed.update_query_dict({"options": options.strip()}).render_as_string(
            hide_password=False
        )
    return replace(
        base,
        home=base.home / "labs" / slug,
        database_url=url,
        collection=f"{base.collection}-{slug}",
        lab=slug,
    )


class Deployment:
    """The default Lab's workspace (registry and accounts) and every other Lab's, each
    opened once and kept: the app holds one Deployment per server process."""

    def __init__(self, settings: Settings):
        self.settings = replace(settings, lab="")
        self._open: dict[str, Workspace] = {}
        self._lock = threading.Lock()
        self._listed: tuple[list[Lab] | None, float] = (None, 0.0)
        self.home = self.workspace(DEFAULT)

    @property
    def engine(self):
        """The deployment's store: the registry, accounts, sign-in sessions."""
        return self.home.store.engine

    def labs(self) -> list[Lab]:
        """The default Lab first, then the others by slug (read again after LIST_SECONDS: the
        app asks on every run, and a Lab added elsewhere may take that long to show)."""
        listed, at = self._listed
        if listed is None or time.monotonic() - at > LIST_SECONDS:
            with self.engine.connect() as conn:
                rows = conn.execute(select(labs.c.slug, labs.c.name).order_by(labs.c.slug)).all()
            default = profile.profile(self.engine)["name"] or DEFAULT_NAME
            listed = [Lab(DEFAULT, default)] + [Lab(row.slug, row.name) for row in rows]
            self._listed = (listed, time.monotonic())
        return list(listed)

    def lab(self, slug: str, fresh: bool = False) -> Lab:
        slug = slug or DEFAULT
        if fresh:
            self._listed = (None, 0.0)
        for lab in self.labs():
            if lab.slug == slug:
                return lab
        if not fresh:  # added by another process since the list was read?
            return self.lab(slug, fresh=True)
        raise ValueError(f"no Lab with the slug {slug!r}: see `qlab labs list`")

    def workspace(self, slug: str = DEFAULT) -> Workspace:
        """A Lab's workspace (the slug must be registered, except the default's)."""
        slug = slug or DEFAULT
        with self._lock:
            if slug not in self._open:
                if slug != DEFAULT:
                    self.lab(slug)  # refuses an unknown slug in one line
                self._open[slug] = self._make(slug)
            return self._open[slug]

    def add(self, slug: str, name: str, who: str | None = None) -> Lab:
        """Register a Lab and make its workspace (its store's tables, its profile's name)."""
        slug = check_slug(slug)
        name = " ".join((name or "").split())
        if not name:
            raise ValueError('the Lab needs a name: qlab labs add SLUG --name "Its name"')
        taken = ValueError(f"a Lab with the slug {slug!r} exists: choose another slug")
        self._listed = (None, 0.0)
        if slug == DEFAULT or any(lab.slug == slug for lab in self.labs()):
            raise taken
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(labs).values(slug=slug, name=name, created_at=now()))
                record_audit(conn, "lab.add", slug, {"name": name}, who=who)
        except IntegrityError:  # another process added the same slug a moment ago
            raise taken from None
        self._listed = (None, 0.0)
        profile.set_profile(self.workspace(slug).store.engine, who or "", name=name)
        return Lab(slug, name)

    def _make(self, slug: str) -> Workspace:
        settings = lab_settings(self.settings, slug)
        if slug != DEFAULT and settings.database_url:
            _ensure_schema(self.settings.database_url, schema_name(slug))
        return Workspace(settings)

    def close(self) -> None:
        for ws in self._open.values():
            ws.store.engine.dispose()


def _ensure_schema(url: str, schema: str) -> None:
    engine = create_engine(url, future=True, hide_parameters=True)
    try:
        with engine.begin() as conn:  # the slug rule makes the name safe to quote
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    finally:
        engine.dispose()
