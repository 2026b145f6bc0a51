"""Removing content no attachment refers to any more (`attent files sweep`).

Content is written before its row commits, so a rolled-back upload leaves content behind, and a
deleted or merged-away row may leave its content unreferenced. The sweep removes content older than a
grace period that no row of its organisation names. Content stored again while the sweep runs is
touched by `put` and so left alone; the grace period covers uploads whose transaction is still open.
"""

import uuid
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from attent.core.db import Database
from attent.files.models import Attachment
from attent.files.storage import Sweepable

CHUNK = 500


def sweep_unreferenced(*, database: Database, storage: Sweepable, before: datetime) -> int:
    """Remove content stored before `before` that no attachment refers to; returns how much was removed."""
    candidates: dict[uuid.UUID, list[tuple[str, str]]] = defaultdict(list)
    for key in storage.stored(before):
        organisation, _, sha256 = key.split("/")
        try:
            candidates[uuid.UUID(organisation)].append((key, sha256))
        except ValueError:
            continue  # not ours: leave it
    removed = 0
    with database.sessions() as db:
        for organisation_id, keys in candidates.items():
            for start in range(0, len(keys), CHUNK):
                chunk = keys[start : start + CHUNK]
                used = set(
                    db.scalars(
                        select(Attachment.sha256).where(
                            Attachment.organisation_id == organisation_id,
                            Attachment.sha256.in_([sha for _, sha in chunk]),
                        )
                    )
                )
                for key, sha256 in chunk:
                    if sha256 not in used:
                        removed += storage.delete(key, unless_touched_since=before)
    return removed
