"""The scorer of a portal: the scoring configuration plus the portal's active trained models.

Trained models live in the store (`store.models`, one active per portal and artifact key);
they are loaded once per artifact id and kept, since a pass asks for them on every run.
Without a model for the portal a scoring model scores with its rules alone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from connector.errors import LeadscoreError
from connector.evaluation import Segmentation
from connector.scoring.config import ScoringConfig
from connector.scoring.engine import Scorer
from connector.scoring.model import LeadModel
from connector.scoring_files import load_model
from connector.store import ModelArtifact, Store
from connector.sync.outputs import PortalScoring

log = logging.getLogger(__name__)

SEGMENTATION_META = "segmentation"
"""Key of a fitted segmentation (JSON) in a model artifact's `meta`."""


def load_artifact(store: Store, artifact: ModelArtifact) -> LeadModel:
    """Load a stored model (bytes in the database, or the file at its path)."""
    if artifact.path is not None:
        return load_model(Path(artifact.path))
    blob = store.models.blob(artifact.id)
    if blob is None:
        raise LeadscoreError(f"model {artifact.version} has neither bytes nor a path")
    return LeadModel.from_bytes(blob, f"stored model {artifact.version}")


class ScorerCache:
    """Builds `PortalScoring` for portals, reusing loaded models across passes. Thread-safe."""

    def __init__(self, store: Store, config: ScoringConfig) -> None:
        """Bind the store holding trained models and the scoring configuration."""
        self._store = store
        self.config = config
        self._models: dict[int, LeadModel] = {}
        self._segmentations: dict[int, Segmentation] = {}
        self._lock = threading.Lock()

    def artifact_keys(self) -> list[str]:
        """Distinct trained-model keys the configuration's scoring models use."""
        return list(dict.fromkeys(self.config.artifact_key(m) for m in self.config.models))

    def _model(self, artifact: ModelArtifact) -> LeadModel:
        with self._lock:
            cached = self._models.get(artifact.id)
        if cached is not None:
            return cached
        model = load_artifact(self._store, artifact)
        with self._lock:
            self._models[artifact.id] = model
        return model

    def _segmentation(self, artifact: ModelArtifact) -> Segmentation | None:
        raw = artifact.meta.get(SEGMENTATION_META)
        if not isinstance(raw, str):
            return None
        with self._lock:
            cached = self._segmentations.get(artifact.id)
        if cached is None:
            cached = Segmentation.from_json(raw)
            with self._lock:
                self._segmentations[artifact.id] = cached
        return cached

    def scoring_for(self, portal_id: int | None, stages: Sequence[str] | None = None
                    ) -> PortalScoring:
        """The portal's scoring (or rules plus offline models for `portal_id=None`).

        `stages` is the portal's lifecycle stage order; the configuration's is used when
        it is not known.
        """
        models: dict[str, LeadModel] = {}
        segmentations: dict[str, Segmentation] = {}
        artifacts: dict[str, ModelArtifact] = {}
        for key in self.artifact_keys():
            artifact = self._store.models.active(portal_id, key)
            if artifact is None:
                continue
            try:
                models[key] = self._model(artifact)
            except LeadscoreError as exc:
                log.warning("model %s of portal %s cannot be loaded (%s); rules only",
                            artifact.version, portal_id, exc)
                continue
            artifacts[key] = artifact
        for name in self.config.models:
            artifact = artifacts.get(self.config.artifact_key(name))
            segmentation = self._segmentation(artifact) if artifact is not None else None
            if segmentation is not None:
                segmentations[name] = segmentation
        return PortalScoring(
            config=self.config,
            scorer=Scorer(self.config, models),
            stages=tuple(stages or self.config.lifecycle.stages),
            segmentations=segmentations,
        )
