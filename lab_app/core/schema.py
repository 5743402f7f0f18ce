"""Every table of the relational store, on one MetaData so one create_all makes them all."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()
# Marks a column that holds a person's name: withdrawal must reach it (core/forgetting.py).
PERSON = {"person": True}

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("path", String(1024), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("content_hash", String(64), nullable=False, index=True),
    Column("title", Text),
    Column("date", String(10)),
    Column("text", Text, nullable=False),
    Column("meta", JSON, nullable=False, default=dict),
    Column("warnings", JSON, nullable=False, default=list),
    Column("redactions", JSON, nullable=False, default=dict),
    Column("extract_count", Integer, nullable=False),
    # False from the moment the store changes until the index holds the same extracts:
    # a killed ingest leaves it False, and the next run finishes the job.
    Column("indexed", Boolean, nullable=False, default=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
)

extracts = Table(
    "extracts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(16), nullable=False, index=True),
    Column("text", Text, nullable=False),
    Column("text_hash", String(64), nullable=False, index=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("page", Integer),
    Column("paragraph", Integer),
    Column("row", Integer),
    Column("date", String(10), index=True),
    Column("person", String(255), index=True, info=PERSON),
    Column("question", Text),
    Column("meta", JSON, nullable=False, default=dict),
    Column("embedding", LargeBinary, nullable=False),
)

extract_attributes = Table(
    "extract_attributes",
    metadata,
    Column("extract_id", String(40), ForeignKey("extracts.id"), primary_key=True),
    Column("name", String(255), primary_key=True),
    Column("value", Text, nullable=False),
    Index("ix_attribute_name_value", "name", "value"),
)

people = Table(
    "people",
    metadata,
    Column("id", String(255), primary_key=True, info=PERSON),
    Column("first_seen", String(10)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


# --- themes ------------------------------------------------------------------------------

themes = Table(
    "themes",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("label", Text, nullable=False),
    Column("label_by_staff", Boolean, nullable=False, default=False),
    Column("description", Text, nullable=False, default=""),
    Column("description_by_staff", Boolean, nullable=False, default=False),
    Column("area", Text, nullable=False, default=""),
    Column("status", String(16), nullable=False, default="active"),  # active|merged|faded
    Column("merged_into", String(32)),
    Column("locked", Boolean, nullable=False, default=False),
    Column("kind", String(16)),  # the kind of extracts it was built from; None = all
    Column("centroid", LargeBinary),
    Column("details", JSON, nullable=False, default=dict),  # phrases, exemplars, attributes
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Where each extract sits. status: placed | unsorted | excluded. placed_by: build | staff.
theme_members = Table(
    "theme_members",
    metadata,
    Column("extract_id", String(40), primary_key=True),
    Column("theme_id", String(32), index=True),
    Column("status", String(16), nullable=False),
    Column("placed_by", String(16), nullable=False),
    Column("similarity", Float),
    Column("build_id", Integer),
)

theme_pins = Table(
    "theme_pins",
    metadata,
    Column("theme_id", String(32), primary_key=True),
    Column("extract_id", String(40), primary_key=True),
)

theme_builds = Table(
    "theme_builds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("who", String(255), nullable=False, info=PERSON),
    Column("mode", String(16), nullable=False),
    Column("report", JSON, nullable=False),
)

theme_history = Table(
    "theme_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("theme_id", String(32), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("build_id", Integer),
    Column("event", String(32), nullable=False),
    Column("size", Integer),
    Column("label", Text),
    Column("detail", JSON, nullable=False, default=dict),
)

# --- the Lab's year and the audit trail -----------------------------------------------------

# The Lab itself: one row, its name, its question and what it is about (year/profile.py).
lab_profile = Table(
    "lab_profile",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, default=""),
    Column("question", Text, nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
)

phases = Table(
    "phases",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("start", String(10), nullable=False),
    Column("end", String(10), nullable=False),
)

audit = Table(
    "audit",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("who", String(255), nullable=False, info=PERSON),
    Column("action", String(64), nullable=False),
    Column("target", Text),
    Column("detail", JSON, nullable=False, default=dict),
    Column("undone", Boolean, nullable=False, default=False),
)

# Results derived from the store and costly to compute (the map's 2-D layout), kept with the
# fingerprint of the data they came from so any process can reuse them until it changes.
derived = Table(
    "derived",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("key", Text, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# --- participation ---------------------------------------------------------------------------

# Agree (1) / disagree (-1) / pass (0) on a statement: an extract id, or a Pol.is comment later.
votes = Table(
    "votes",
    metadata,
    Column("participant", String(255), primary_key=True, info=PERSON),
    Column("statement", String(64), primary_key=True),
    Column("value", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Contributions sent from the app wait here until staff approve them into the store.
pending_contributions = Table(
    "pending_contributions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("author", String(255), nullable=False, info=PERSON),
    Column("text", Text, nullable=False),
    Column("thread", Text),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False, default="pending"),  # pending|approved|rejected
    Column("reviewed_by", String(255), info=PERSON),
    Column("reviewed_at", DateTime(timezone=True)),
)


# --- the year's events, ideas with their history, and tensions --------------------------------

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("date", String(10), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("kind", String(32), nullable=False, default="event"),  # workshop|survey|event|...
    Column("place", Text, nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
)

# An idea: status emerging -> developing -> testing -> adopted, or parked; merged ideas point on.
ideas = Table(
    "ideas",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("status", String(16), nullable=False, default="emerging"),
    Column("merged_into", String(32)),
    Column("created_by", String(255), nullable=False, info=PERSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("details", JSON, nullable=False, default=dict),
)

idea_history = Table(
    "idea_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("idea_id", String(32), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("who", String(255), nullable=False, info=PERSON),
    Column("event", String(32), nullable=False),  # created|status|edited|linked|merged|...
    Column("status", String(16)),
    Column("detail", JSON, nullable=False, default=dict),
)

# Where an idea came from and what it touches: extracts, themes, sources.
idea_links = Table(
    "idea_links",
    metadata,
    Column("idea_id", String(32), primary_key=True),
    Column("target_type", String(16), primary_key=True),  # extract|theme|source
    Column("target_id", String(1024), primary_key=True),
    Column("role", String(16), nullable=False, default="source"),  # source|evidence|theme
)

idea_supporters = Table(
    "idea_supporters",
    metadata,
    Column("idea_id", String(32), primary_key=True),
    Column("participant", String(255), primary_key=True, info=PERSON),
    Column("at", DateTime(timezone=True), nullable=False),
)

idea_comments = Table(
    "idea_comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("idea_id", String(32), nullable=False, index=True),
    Column("author", String(255), nullable=False, info=PERSON),
    Column("text", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# A tension: two sides, found from votes, attributes or text; staff confirm or dismiss.
tensions = Table(
    "tensions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("signal", String(16), nullable=False),  # votes|attributes|text
    # suggested | confirmed | dismissed
    Column("status", String(16), nullable=False, default="suggested"),
    Column("title", Text, nullable=False),
    Column("themes", JSON, nullable=False, default=list),
    Column("sides", JSON, nullable=False, default=list),  # [{summary, extract_ids, quotes}, ...]
    Column("measures", JSON, nullable=False, default=dict),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

tension_history = Table(
    "tension_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("tension_id", String(32), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("who", String(255), nullable=False, info=PERSON),
    Column("event", String(32), nullable=False),
    Column("detail", JSON, nullable=False, default=dict),
)


# --- people: accounts, consent per person or source, signed-in browsers -----------------------

users = Table(
    "users",
    metadata,
    Column("name", String(255), primary_key=True, info=PERSON),
    Column("role", String(16), nullable=False),  # staff|participant
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_sign_in", DateTime(timezone=True)),
)

# What a person (subject_type "person", id as in extracts.person) or a whole source
# (subject_type "source", id its path) agreed to. No row means the defaults in
# lab_app.material.consent.
consent = Table(
    "consent",
    metadata,
    Column("subject_type", String(16), primary_key=True),
    Column("subject_id", String(1024), primary_key=True, info=PERSON),
    Column("show_to_participants", Boolean, nullable=False, default=True),
    Column("quote_in_publications", Boolean, nullable=False, default=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(255), nullable=False, info=PERSON),
)

# A member who chose to be findable (people/finder.py): the name others see, a line about their
# expertise (redacted as ingest redacts) and its vector. Opting out deletes the row.
finder_profiles = Table(
    "finder_profiles",
    metadata,
    Column("account", String(255), primary_key=True, info=PERSON),
    Column("shown_as", String(255), nullable=False),
    Column("expertise", Text, nullable=False),
    Column("vector", LargeBinary, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(255), nullable=False, info=PERSON),
)

# A browser that signed in keeps a random token in a cookie; only its hash is stored here, so a
# copy of the store cannot sign anyone in. Rows go at sign-out, timeout, withdrawal, disabling,
# a new password, and 12 h after sign-in.
browser_sessions = Table(
    "browser_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("name", String(255), nullable=False, index=True, info=PERSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)

# Failed sign-ins per account name (its look-alike key) and per client address, kept in the
# store so that neither a fresh browser session nor a reload resets the pause
# (people/throttle.py). Rows go a day after the last failure, and a name's at its next sign-in.
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("scope", String(16), primary_key=True),  # name | address
    Column("subject", String(255), primary_key=True, info=PERSON),
    Column("failures", Integer, nullable=False),
    Column("last_failure", DateTime(timezone=True), nullable=False),
    Column("paused_until", DateTime(timezone=True)),
)

# A sign-in hands its new token to the server route that sets the HttpOnly cookie through a
# one-time code: only the code's hash is kept, with the token sealed under the code itself, for
# the few seconds until the browser redeems it (people/sessions.py).
session_handoffs = Table(
    "session_handoffs",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("sealed", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


# --- essay drafts: essays, sections and every saved version -----------------------------------

essays = Table(
    "essays",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("audience", Text, nullable=False, default=""),
    Column("length", String(16), nullable=False, default="medium"),
    Column("choice", JSON, nullable=False, default=dict),  # {"themes": [...], "area": ...}
    Column("created_by", String(255), nullable=False, info=PERSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Reasons staff must look again, e.g. a quoted person withdrew (no content kept here).
    Column("flags", JSON, nullable=False, default=list),
)

essay_sections = Table(
    "essay_sections",
    metadata,
    Column("essay_id", Integer, primary_key=True),
    Column("key", String(64), primary_key=True),  # opening | theme:<id> | closing | references
    Column("position", Integer, nullable=False),
    Column("heading", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("edited", Boolean, nullable=False, default=False),  # the author changed it
    Column("version", Integer, nullable=False, default=1),
    Column("grounding", JSON, nullable=False, default=dict),  # quotes/citations -> extract ids
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

essay_versions = Table(
    "essay_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("essay_id", Integer, nullable=False, index=True),
    Column("key", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("who", String(255), nullable=False, info=PERSON),
    Column("at", DateTime(timezone=True), nullable=False),
)


# --- Q Exchange rounds: proposals, their revisions, comments and ballots (lab_app/rounds) -----

# A round: open (proposals, comments) -> shortlisting -> voting -> closed. Dates are the Lab's
# (YYYY-MM-DD): proposals close, the selection event.
rounds = Table(
    "rounds",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("question", Text, nullable=False),
    Column("opens", String(10), nullable=False),
    Column("proposals_close", String(10), nullable=False),
    Column("event", String(10), nullable=False),
    Column("shortlist_size", Integer, nullable=False),
    Column("select_size", Integer, nullable=False),  # winners, and the most choices per ballot
    Column("state", String(16), nullable=False, default="open"),
    Column("created_by", String(255), nullable=False, info=PERSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

round_proposals = Table(
    "round_proposals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", Integer, nullable=False, index=True),
    Column("author", String(255), nullable=False, index=True, info=PERSON),
    Column("title", Text, nullable=False),
    Column("problem", Text, nullable=False),
    Column("idea", Text, nullable=False),
    Column("links", JSON, nullable=False, default=list),  # [{"type": theme|extract|..., "id"}]
    Column("version", Integer, nullable=False, default=1),
    Column("shortlisted", Boolean, nullable=False, default=False),
    Column("idea_id", String(32)),  # the idea a winner became
    Column("vector", LargeBinary),  # title + problem + idea, for "others working on this"
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Every version of a proposal as it was written (version 1 is the first).
round_revisions = Table(
    "round_revisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("proposal_id", Integer, nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("problem", Text, nullable=False),
    Column("idea", Text, nullable=False),
    Column("links", JSON, nullable=False, default=list),
    Column("who", String(255), nullable=False, info=PERSON),
    Column("at", DateTime(timezone=True), nullable=False),
)

round_comments = Table(
    "round_comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("proposal_id", Integer, nullable=False, index=True),
    Column("parent_id", Integer),  # the comment it answers; None for a first-level comment
    Column("author", String(255), nullable=False, index=True, info=PERSON),
    Column("text", Text, nullable=False),
    Column("connects", JSON, nullable=False, default=list),  # "this connects to …" links
    Column("at", DateTime(timezone=True), nullable=False),
)

# One row per ballot: a member's (voter set, one per round) or a paper one staff entered
# (voter None, entered_by set). Choices are proposal ids.
round_ballots = Table(
    "round_ballots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("round_id", Integer, nullable=False, index=True),
    Column("voter", String(255), info=PERSON),
    Column("paper", Boolean, nullable=False, default=False),
    Column("entered_by", String(255), info=PERSON),
    Column("choices", JSON, nullable=False, default=list),
    Column("at", DateTime(timezone=True), nullable=False),
)

# --- following themes: what each reader follows and last saw; when each extract arrived ---

# One row per account and theme it follows or has opened (people/following.py). "New since
# your last visit" counts the theme's extracts that arrived after last_visit (or followed_at
# when the theme was followed before it was ever opened).
theme_readers = Table(
    "theme_readers",
    metadata,
    Column("account", String(255), primary_key=True, info=PERSON),
    Column("theme_id", String(32), primary_key=True),
    Column("following", Boolean, nullable=False, default=False),
    Column("followed_at", DateTime(timezone=True)),
    Column("last_visit", DateTime(timezone=True)),
)

# When each extract id was first stored: re-ingesting a source (an approved contribution
# rewrites the whole contributions file) keeps the first time, so old words never look new.
extract_arrivals = Table(
    "extract_arrivals",
    metadata,
    Column("extract_id", String(40), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
)

# --- statements to vote on (opinions/statements.py) -----------------------------------------

# Short statements participants vote on; votes live in `votes` under "statement:<id>".
statements = Table(
    "statements",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending | approved | rejected
    Column("origin", String(16), nullable=False),  # staff | extract | participant
    Column("extract_id", String(40)),  # the extract a staff member picked it from
    Column("proposed_by", String(255), nullable=False, info=PERSON),
    Column("reviewed_by", String(255), info=PERSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("reviewed_at", DateTime(timezone=True)),
)

# --- several Labs on one deployment (network/registry.py) -----------------------------------

# The deployment's Labs besides the default one (the workspace of QLAB_HOME or
# QLAB_DATABASE_URL itself, which holds this table and every account). Each Lab's workspace
# is its own store and index; a person's role in a Lab is their row in that Lab's `users`.
labs = Table(
    "labs",
    metadata,
    Column("slug", String(40), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
