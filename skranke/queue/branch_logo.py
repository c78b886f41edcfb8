"""A branch's logo: set or removed from /admin, audited like every other change of the set-up.

Kept apart from `administration` because the logo is bytes, not part of the set-up file: a
municipality's `kommune.toml` stays text that can be reviewed.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from skranke.queue.accounts import Principal
from skranke.queue.errors import Forbidden, InvalidInput, NotFound
from skranke.store import Conn, audit, configuration

LOGO_TYPES = ("image/png", "image/svg+xml")
MAX_LOGO_BYTES = 60 * 1024


def _summary(data: bytes | None, content_type: str) -> str | None:
    # The audit names the picture by size and digest; the bytes themselves stay out of it.
    if not data:
        return None
    return f"{content_type}, {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:12]}"


def save_logo(
    conn: Conn,
    actor: Principal,
    now: datetime,
    branch_key: str,
    data: bytes | None,
    content_type: str = "",
) -> bool:
    """Set the logo (None removes it); whether anything changed."""
    found = configuration.branches(conn, [branch_key])
    if not found:
        raise NotFound(f"Unknown branch {branch_key!r}")
    branch = found[0]
    if not actor.may_use_branch(branch.id):
        raise Forbidden(f"Expected one of your branches, but got {branch_key!r}")
    if data is not None and (content_type not in LOGO_TYPES or len(data) > MAX_LOGO_BYTES):
        raise InvalidInput(f"Expected a PNG or SVG of at most {MAX_LOGO_BYTES} bytes")
    old = _summary(branch.logo, branch.logo_type)
    new = _summary(data, content_type)
    if old == new:
        return False
    configuration.update_branch(
        conn, branch.id, {"logo": data, "logo_type": content_type if data else ""}
    )
    audit.record(
        conn,
        at=now,
        actor=actor.name,
        actor_id=actor.user_id,
        branch_id=branch.id,
        entity="branch",
        entity_key=branch_key,
        action="change",
        changes={"logo": [old, new]},
    )
    return True


def logo(conn: Conn, branch_key: str) -> tuple[bytes, str] | None:
    found = configuration.branches(conn, [branch_key])
    if not found or not found[0].logo:
        return None
    return bytes(found[0].logo), found[0].logo_type
