"""The live A/B experiment: a share of new leads is scored by a challenger configuration.

`LEADSCORE_CHALLENGER_CONFIG` names a second scoring file with the same scoring models as
the champion. On each portal the experiment starts the first time the sync scores with it
(`store.experiments.start`); a contact created after that start is put in an arm when it is
first scored (`assign_arm`: stable by contact id, share and salt) and the arm is recorded, so
it keeps its arm forever even if the share changes. Older contacts are not in the
experiment and stay with the champion.

`PortalScoring.experiment` carries a `LiveExperiment`; `desired_by_arm` is what the pass,
the webhook drain and the daily rescore call instead of `desired_values`, so each contact's
written properties come from its own arm's scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from connector.crm import CrmRecord
from connector.errors import LeadscoreError
from connector.evaluation import Arm, assign_arm
from connector.scoring.config import ScoringConfig
from connector.scoring.leads import LeadFrame
from connector.scoring_files import load_config
from connector.settings import Settings
from connector.store import Store
from connector.sync.outputs import Desired, PortalScoring, desired_values
from connector.sync.scorers import ScorerCache


@dataclass(frozen=True)
class Experiment:
    """A configured experiment: its name (the salt), the challenger's share and config."""

    name: str
    share: float
    challenger: ScoringConfig
    challenger_path: Path


def load_experiment(settings: Settings, champion: ScoringConfig) -> Experiment | None:
    """The experiment the settings configure, or None when no challenger file is set.

    Raises `LeadscoreError` when the challenger's scoring models differ from the
    champion's: each contact's properties are written per model, so both arms must fill
    the same ones.
    """
    raw = settings.challenger_config.strip()
    if not raw:
        return None
    path = Path(raw)
    challenger = load_config(path)
    if set(challenger.models) != set(champion.models):
        raise LeadscoreError(
            f"{path}: the challenger's scoring models ({', '.join(sorted(challenger.models))}) "
            f"must be the champion's ({', '.join(sorted(champion.models))})"
        )
    return Experiment(
        name=settings.experiment_salt,
        share=settings.challenger_share,
        challenger=challenger,
        challenger_path=path,
    )


def split_by_arm(leads: LeadFrame, arms: Mapping[str, Arm]) -> dict[Arm, LeadFrame]:
    """The leads of each arm that has any; contacts without an arm go to the champion."""
    ids = [str(i) for i in leads.contacts.index]
    challenger = [i for i in ids if arms.get(i) == "challenger"]
    if not challenger:
        return {"champion": leads} if ids else {}
    chosen = set(challenger)
    champion = [i for i in ids if i not in chosen]
    parts: dict[Arm, LeadFrame] = {}
    groups: tuple[tuple[Arm, list[str]], ...] = (("champion", champion),
                                                  ("challenger", challenger))
    for arm, members in groups:
        if members:
            activities = leads.activities[leads.activities["contact_id"].isin(members)]
            parts[arm] = LeadFrame(contacts=leads.contacts.loc[members], activities=activities)
    return parts


@dataclass
class LiveExperiment:
    """The experiment running on one portal during one run: arms and the challenger's scoring.

    Arms found or assigned during the run are kept, so a dry run (which records nothing)
    still scores each new contact with its arm.
    """

    experiment: Experiment
    store: Store
    portal_id: int
    started_at: datetime
    challenger: PortalScoring
    _arms: dict[str, Arm] = field(default_factory=dict)

    def enrol(self, records: Sequence[CrmRecord], *, dry_run: bool = False) -> dict[str, Arm]:
        """Put contacts created since the start and not yet in an arm into one; returns
        the newly assigned arms (recorded in the store unless `dry_run`)."""
        created = [
            r.id for r in records
            if r.created_at is not None and r.created_at >= self.started_at
        ]
        known = self.arms_of(created)
        new = {
            cid: assign_arm(cid, self.experiment.share, self.experiment.name)
            for cid in created if cid not in known
        }
        if new and not dry_run:
            self.store.experiments.record(
                self.portal_id, self.experiment.name, {int(c): a for c, a in new.items()}
            )
        self._arms.update(new)
        return new

    def arms_of(self, contact_ids: Iterable[object]) -> dict[str, Arm]:
        """The arm of each given contact that is in the experiment, by id string."""
        ids = [str(i) for i in contact_ids]
        missing = [int(i) for i in ids if i not in self._arms and i.isdigit()]
        if missing:
            stored = self.store.experiments.arms_of(self.portal_id, self.experiment.name, missing)
            self._arms.update((str(cid), arm) for cid, arm in stored.items())
        return {i: self._arms[i] for i in ids if i in self._arms}


class ExperimentScorers:
    """Attaches a configured experiment to a portal's scoring, reusing the challenger's
    loaded models across runs (the same trained models the champion uses)."""

    def __init__(self, store: Store, experiment: Experiment) -> None:
        """Bind the store and the experiment."""
        self.store = store
        self.experiment = experiment
        self._challenger = ScorerCache(store, experiment.challenger)

    def attach(self, scoring: PortalScoring, portal_id: int) -> PortalScoring:
        """The champion's `scoring` with the running experiment (started now if new)."""
        started = self.store.experiments.start(portal_id, self.experiment.name)
        challenger = self._challenger.scoring_for(portal_id, scoring.stages)
        live = LiveExperiment(self.experiment, self.store, portal_id, started, challenger)
        return replace(scoring, experiment=live)


def experiment_scorers(
    store: Store, settings: Settings, champion: ScoringConfig
) -> ExperimentScorers | None:
    """The experiment configured by the settings, ready to attach (None without one)."""
    experiment = load_experiment(settings, champion)
    return ExperimentScorers(store, experiment) if experiment is not None else None


def desired_by_arm(scoring: PortalScoring, leads: LeadFrame, now: datetime) -> dict[str, Desired]:
    """`desired_values` with each contact scored by its arm's configuration."""
    live = scoring.experiment
    if live is None:
        return desired_values(scoring, leads, now)
    desired: dict[str, Desired] = {}
    for arm, part in split_by_arm(leads, live.arms_of(leads.contacts.index)).items():
        desired.update(desired_values(live.challenger if arm == "challenger" else scoring,
                                      part, now))
    return desired
