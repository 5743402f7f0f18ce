"""The order a question's answers are shown in: their scale's order (ingest.scales), and
answers on no scale in the order the survey first gave them, never alphabetical."""

from __future__ import annotations

from sqlalchemy import func, select

from ingest.scales import answer_order
from lab_app.core.schema import extract_attributes, extracts


def ordered_values(conn, names: list[str], values) -> list[str]:
    """The values of the attribute columns `names` in their natural order; first appearance is
    the earliest (source, position) of an extract holding the value."""
    attrs = extract_attributes.c
    query = (
        select(attrs.value, extracts.c.source_id, func.min(extracts.c.position))
        .join(extracts, extracts.c.id == attrs.extract_id)
        .where(attrs.name.in_(names))
        .group_by(attrs.value, extracts.c.source_id)
    )
    first: dict[str, tuple[int, int]] = {}
    for value, source_id, position in conn.execute(query):
        first[value] = min(first.get(value, (source_id, position)), (source_id, position))
    unseen = (float("inf"), 0)  # a value no extract holds any longer: last, as given
    return answer_order(sorted(values, key=lambda v: first.get(v, unseen)))
