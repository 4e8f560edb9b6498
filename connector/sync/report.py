"""`PassReport`: what one sync pass, rescore, webhook batch or training run did."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from connector.crm import CallTally
from connector.store.records import RunCounters, RunKind

if TYPE_CHECKING:
    from connector.sync.account_sync import AccountReport


@dataclass
class PassReport:
    """Counters of one run; `to_json` is what `leadscore sync --json` prints.

    `skipped_unchanged` counts contacts recognised as unchanged (our own echoes, or inputs
    that did not move), which were neither rescored nor rewritten; `unchanged_scores` counts
    contacts rescored whose written values did not change (so nothing was written).
    """

    portal_id: int
    kind: RunKind
    dry_run: bool = False
    contacts_read: int = 0
    contacts_scored: int = 0
    contacts_written: int = 0
    skipped_unchanged: int = 0
    unchanged_scores: int = 0
    contacts_failed: int = 0
    retried_writes: int = 0
    forgotten: int = 0
    chunks: int = 0
    api_calls: dict[str, int] = field(default_factory=dict)
    rate_limited: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    completed: bool = False
    stopped: bool = False
    run_id: int | None = None
    model_version: str | None = None
    companies_read: int = 0
    companies_written: int = 0
    companies_failed: int = 0
    deals_read: int = 0

    @property
    def api_calls_total(self) -> int:
        """Every CRM HTTP attempt of the run (retries included)."""
        return sum(self.api_calls.values())

    def add_calls(self, counts: CallTally) -> None:
        """Take the API call counts (by kind) and the 429s seen from a session's tally."""
        self.api_calls = {kind: n for kind, n in counts.calls.items() if n}
        self.rate_limited = counts.rate_limited

    def add_accounts(self, accounts: AccountReport) -> None:
        """Take the company and deal streams' counters."""
        self.companies_read += accounts.companies_read
        self.companies_written += accounts.companies_written
        self.companies_failed += accounts.companies_failed
        self.deals_read += accounts.deals_read

    def counters(self) -> RunCounters:
        """The store's run counters for this report."""
        return RunCounters(
            contacts_read=self.contacts_read,
            contacts_scored=self.contacts_scored,
            contacts_written=self.contacts_written,
            contacts_unchanged=self.skipped_unchanged + self.unchanged_scores,
            contacts_failed=self.contacts_failed,
            rate_limited=self.rate_limited,
            errors=len(self.errors),
            api_calls=dict(self.api_calls),
            seconds=round(self.seconds, 3),
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of every counter plus the total of API calls."""
        data = asdict(self)
        data["api_calls_total"] = self.api_calls_total
        return data
