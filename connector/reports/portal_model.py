"""A portal's active trained model, as a file `LeadModel.load` can read."""

from __future__ import annotations

import re
from pathlib import Path

from connector.errors import LeadscoreError
from connector.store import Portal, Store


def active_model_file(store: Store, portal: Portal, scoring_model: str, cache: Path) -> Path | None:
    """The portal's active trained model as a file for `LeadModel.load`, or None.

    A model stored as bytes is exported once into `cache` under its version, so repeated
    commands reuse the file and a newer model never overwrites an older one's file.
    """
    artifact = store.models.active(portal.hub_id, scoring_model)
    if artifact is None:
        return None
    if artifact.path is not None:
        return Path(artifact.path)
    safe_version = re.sub(r"[^A-Za-z0-9._-]", "_", artifact.version)
    path = cache / f"portal-{portal.hub_id}-{scoring_model}-{safe_version}.zip"
    if not path.exists():
        blob = store.models.blob(artifact.id) or b""
        try:
            cache.mkdir(parents=True, exist_ok=True)
            # Write then rename, so a concurrent reader never loads half a file.
            partial = path.with_suffix(".part")
            partial.write_bytes(blob)
            partial.replace(path)
        except OSError as exc:
            raise LeadscoreError(
                f"{cache}: cannot export the portal's model ({exc.strerror})"
            ) from exc
    return path
