"""Withdrawal asks, it does not know: every column that holds a person's name is answered for by
one package's forget hook, and a column named like a person's must be marked as one."""

from __future__ import annotations

import inspect
import re

from lab_app.core.schema import metadata
from lab_app.people import withdrawal

# Column names that usually hold a person; each must be marked info=PERSON in the schema.
PERSON_LIKE = re.compile(r"person|participant|author|who|_by$|user|subject_id")
# Named like one, holding none: a consent flag, and how an extract joined its theme.
NOT_PEOPLE = {"consent.show_to_participants", "theme_members.placed_by"}


def _name(column) -> str:
    return f"{column.table.name}.{column.name}"


def test_every_person_column_has_a_forget_path():
    marked = {_name(c) for t in metadata.sorted_tables for c in t.columns if c.info.get("person")}
    covered: dict[str, str] = {}
    for forget in withdrawal.FORGETTERS:
        module = inspect.getmodule(forget)
        for column in module.FORGETS:
            assert _name(column) not in covered, f"{_name(column)} is forgotten twice"
            covered[_name(column)] = module.__name__
    assert marked - set(covered) == set(), "person columns no package forgets"
    assert set(covered) - marked == set(), "forget hooks for columns not marked as a person"


def test_columns_named_like_a_person_are_marked():
    unmarked = {
        _name(c)
        for t in metadata.sorted_tables
        for c in t.columns
        if PERSON_LIKE.search(c.name) and "person" not in c.info
    }
    assert unmarked == NOT_PEOPLE
