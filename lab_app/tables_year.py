"""Tables for tracking the Lab's year: dated events, ideas with their history, and tensions."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Integer, String, Table, Text

from lab_app.tables import metadata

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
    Column("created_by", String(255), nullable=False),
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
    Column("who", String(255), nullable=False),
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
    Column("participant", String(255), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

idea_comments = Table(
    "idea_comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("idea_id", String(32), nullable=False, index=True),
    Column("author", String(255), nullable=False),
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
    Column("who", String(255), nullable=False),
    Column("event", String(32), nullable=False),
    Column("detail", JSON, nullable=False, default=dict),
)
