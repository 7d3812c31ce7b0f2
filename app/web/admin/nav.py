"""What every moderation page shows in its bar: how many practices are in each status, how
many adoption reports wait and how many published cards are due for a check against their sources."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app.catalogue.adoptions import queries as adoption_queries
from app.catalogue.practices import freshness, queries
from app.models import AdoptionStatus, Status, utcnow

NAV_LABELS = {
    Status.pending: "На проверке",
    Status.revision: "На доработке",
    Status.published: "Опубликованы",
    Status.rejected: "Отклонены",
    Status.archived: "В архиве",
}


def nav(session: Session) -> dict[str, Any]:
    """`counts` (Status → n) and `nav_links` [(href, label, n, key)] for admin/_bar.html."""
    found = queries.status_counts(session)
    counts = {s: found.get(s, 0) for s in Status}
    links = [(f"/admin?status={s.value}", label, counts[s], s.value) for s, label in NAV_LABELS.items()]
    links.append(("/admin/adoptions", "Внедрения ждут", adoption_queries.count(session, AdoptionStatus.pending),
                  "adoptions"))
    links.append(("/admin/freshness", "Давно не проверялись", freshness.due_count(session, utcnow().date()), "freshness"))
    return {"counts": counts, "nav_links": links}
