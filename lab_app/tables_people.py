"""Tables for people: accounts with roles, consent per person or per source, signed-in browsers."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, String, Table, Text

from lab_app.tables import metadata

users = Table(
    "users",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("role", String(16), nullable=False),  # staff|participant
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_sign_in", DateTime(timezone=True)),
)

# What a person (subject_type "person", id as in extracts.person) or a whole source
# (subject_type "source", id its path) agreed to. No row means the defaults in lab_app.consent.
consent = Table(
    "consent",
    metadata,
    Column("subject_type", String(16), primary_key=True),
    Column("subject_id", String(1024), primary_key=True),
    Column("show_to_participants", Boolean, nullable=False, default=True),
    Column("quote_in_publications", Boolean, nullable=False, default=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(255), nullable=False),
)

# A browser that signed in keeps a random token in a cookie; only its hash is stored here, so a
# copy of the store cannot sign anyone in. Rows go at sign-out, timeout, withdrawal, disabling,
# a new password, and 12 h after sign-in.
browser_sessions = Table(
    "browser_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("name", String(255), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)
