"""Trained model artifacts per portal and scoring model, one of them active."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Engine, Row, select, update

from connector.errors import LeadscoreError
from connector.store.clock import Clock
from connector.store.engine import read_tx, write_tx
from connector.store.records import ModelArtifact
from connector.store.schema import model_artifacts as ma

_META_COLUMNS = [c for c in ma.c if c.name != "blob"]


class ModelRepository:
    """Save, activate and load trained models.

    `portal_id=None` is a model trained offline (from a CSV) rather than for one portal.
    """

    def __init__(self, engine: Engine, clock: Clock):
        """Bind to an engine and the store's clock."""
        self._engine = engine
        self._clock = clock

    def save(
        self,
        portal_id: int | None,
        scoring_model: str,
        version: str,
        meta: dict[str, Any],
        *,
        blob: bytes | None = None,
        path: str | None = None,
        activate: bool = True,
    ) -> ModelArtifact:
        """Store a trained model (its bytes, or the path of a file holding them).

        With `activate`, it becomes the one active model of (portal, scoring model) in the
        same transaction, so readers never see zero or two active models.
        """
        if (blob is None) == (path is None):
            raise ValueError("give exactly one of blob or path")
        owner = _owner(portal_id, scoring_model)
        with write_tx(self._engine) as conn:
            exists = conn.execute(select(ma.c.id).where(owner, ma.c.version == version)).first()
            if exists is not None:
                raise LeadscoreError(
                    f"model version {version!r} of {scoring_model!r} already exists"
                    + (f" for portal {portal_id}" if portal_id is not None else "")
                )
            if activate:
                conn.execute(update(ma).where(owner).values(active=False))
            new_id = conn.execute(
                ma.insert()
                .values(
                    portal_id=portal_id,
                    scoring_model=scoring_model,
                    version=version,
                    meta=meta,
                    blob=blob,
                    path=path,
                    size_bytes=len(blob) if blob is not None else None,
                    active=activate,
                    created_at=self._clock(),
                )
                .returning(ma.c.id)
            ).scalar_one()
            row = conn.execute(select(*_META_COLUMNS).where(ma.c.id == new_id)).one()
        return _artifact(row)

    def activate(self, artifact_id: int) -> ModelArtifact:
        """Make this model the active one of its (portal, scoring model)."""
        with write_tx(self._engine) as conn:
            row = conn.execute(select(*_META_COLUMNS).where(ma.c.id == artifact_id)).one_or_none()
            if row is None:
                raise LeadscoreError(f"model {artifact_id} does not exist")
            conn.execute(
                update(ma).where(_owner(row.portal_id, row.scoring_model)).values(active=False)
            )
            conn.execute(update(ma).where(ma.c.id == artifact_id).values(active=True))
            row = conn.execute(select(*_META_COLUMNS).where(ma.c.id == artifact_id)).one()
        return _artifact(row)

    def active(self, portal_id: int | None, scoring_model: str) -> ModelArtifact | None:
        """The active model, or None if none was trained yet."""
        with read_tx(self._engine) as conn:
            row = conn.execute(
                select(*_META_COLUMNS).where(_owner(portal_id, scoring_model), ma.c.active)
            ).one_or_none()
        return _artifact(row) if row is not None else None

    def get(self, artifact_id: int) -> ModelArtifact | None:
        """One model record by id."""
        with read_tx(self._engine) as conn:
            row = conn.execute(select(*_META_COLUMNS).where(ma.c.id == artifact_id)).one_or_none()
        return _artifact(row) if row is not None else None

    def blob(self, artifact_id: int) -> bytes | None:
        """The stored bytes (None when the model lives at `path`)."""
        with read_tx(self._engine) as conn:
            row = conn.execute(select(ma.c.blob).where(ma.c.id == artifact_id)).one_or_none()
        if row is None:
            raise LeadscoreError(f"model {artifact_id} does not exist")
        return bytes(row.blob) if row.blob is not None else None

    def history(
        self, portal_id: int | None, scoring_model: str | None = None
    ) -> list[ModelArtifact]:
        """The models of a portal (optionally one scoring model), newest first."""
        where = ma.c.portal_id.is_(None) if portal_id is None else ma.c.portal_id == portal_id
        stmt = select(*_META_COLUMNS).where(where).order_by(ma.c.created_at.desc(), ma.c.id.desc())
        if scoring_model is not None:
            stmt = stmt.where(ma.c.scoring_model == scoring_model)
        with read_tx(self._engine) as conn:
            return [_artifact(r) for r in conn.execute(stmt)]


def _owner(portal_id: int | None, scoring_model: str) -> ColumnElement[bool]:
    portal = ma.c.portal_id.is_(None) if portal_id is None else ma.c.portal_id == portal_id
    return portal & (ma.c.scoring_model == scoring_model)


def _artifact(row: Row[Any]) -> ModelArtifact:
    return ModelArtifact(
        id=row.id,
        portal_id=row.portal_id,
        scoring_model=row.scoring_model,
        version=row.version,
        meta=row.meta,
        path=row.path,
        size_bytes=row.size_bytes,
        active=bool(row.active),
        created_at=row.created_at,
    )
