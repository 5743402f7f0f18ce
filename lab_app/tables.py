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
    Column("person", String(255), index=True),
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
    Column("id", String(255), primary_key=True),
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
    Column("who", String(255), nullable=False),
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
    Column("who", String(255), nullable=False),
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
    Column("participant", String(255), primary_key=True),
    Column("statement", String(64), primary_key=True),
    Column("value", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Contributions sent from the app wait here until staff approve them into the store.
pending_contributions = Table(
    "pending_contributions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("author", String(255), nullable=False),
    Column("text", Text, nullable=False),
    Column("thread", Text),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("status", String(16), nullable=False, default="pending"),  # pending|approved|rejected
    Column("reviewed_by", String(255)),
    Column("reviewed_at", DateTime(timezone=True)),
)

# The rest of the schema lives beside its feature, on this same MetaData; importing it here
# means one create_all always makes every table. (Imported last: they import `metadata`.)
from lab_app import tables_essays, tables_people, tables_year  # noqa: E402, F401
