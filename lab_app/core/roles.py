"""Defence in depth for staff-only package functions: a name that is a participant's account
(or a disabled one) is refused, whichever page or command called."""

from __future__ import annotations

from sqlalchemy import select

from lab_app.core.schema import users


def require_staff(engine, who: str | None, what: str) -> None:
    """Raise PermissionError when `who` names an account that is not active staff.

    A name with no account passes: that is the command line (QLAB_USER or the system user),
    whose user holds the store itself. The app always acts as a signed-in account."""
    with engine.connect() as conn:
        row = conn.execute(
            select(users.c.role, users.c.active).where(users.c.name == (who or "").strip())
        ).first()
    if row is not None and (row.role != "staff" or not row.active):
        raise PermissionError(f"{who} is not Lab staff: only staff can {what}")
