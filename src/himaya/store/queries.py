"""Read-only questions asked of the store. Every query is scoped to one organisation."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from himaya.store import schema
from himaya.store.db import Store


def stats(store: Store) -> dict[str, Any]:
    """Counts per platform and kind, plus imports; stable keys for `himaya stats --json`."""
    org = store.org_id
    out: dict[str, dict[str, int]] = {}

    def add(platform: str, kind: str, n: int) -> None:
        out.setdefault(platform, {})[kind] = out.get(platform, {}).get(kind, 0) + int(n)

    with store.engine.connect() as conn:
        p = schema.posts
        for platform, ptype, n in conn.execute(
                sa.select(p.c.platform, p.c.post_type, sa.func.count()).where(p.c.org_id == org)
                .group_by(p.c.platform, p.c.post_type)):
            add(platform, f"post:{ptype}", n)
        f = schema.follows
        for platform, rel, n in conn.execute(
                sa.select(f.c.platform, f.c.relation, sa.func.count()).where(f.c.org_id == org)
                .group_by(f.c.platform, f.c.relation)):
            add(platform, f"follow:{rel}", n)
        a = schema.accounts
        for platform, n in conn.execute(sa.select(a.c.platform, sa.func.count()).where(a.c.org_id == org)
                                        .group_by(a.c.platform)):
            add(platform, "account", n)
        m = schema.media
        media = {status: int(n) for status, n in conn.execute(
            sa.select(m.c.status, sa.func.count()).where(m.c.org_id == org).group_by(m.c.status))}
        i = schema.imports
        imports = {status: int(n) for status, n in conn.execute(
            sa.select(i.c.status, sa.func.count()).where(i.c.org_id == org).group_by(i.c.status))}
    totals: dict[str, int] = {}
    for kinds in out.values():
        for k, n in kinds.items():
            group = k.split(":")[0]
            totals[group] = totals.get(group, 0) + n
    return {"org": org, "platforms": dict(sorted(out.items())), "totals": totals, "media": media, "imports": imports}
