"""Tables for essay drafts: an essay, its sections, and every saved version of a section."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Integer, String, Table, Text

from lab_app.tables import metadata

essays = Table(
    "essays",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text, nullable=False),
    Column("audience", Text, nullable=False, default=""),
    Column("length", String(16), nullable=False, default="medium"),
    Column("choice", JSON, nullable=False, default=dict),  # {"themes": [...], "area": ...}
    Column("created_by", String(255), nullable=False),
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
    Column("who", String(255), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)
