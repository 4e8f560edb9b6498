"""Throughput of the rule engine (and the predictive model) on generated leads; prints JSON.

Builds a synthetic `LeadFrame` with numpy (HubSpot-like text values, ~1.5 activities per
lead), scores it with `config/scoring.yaml` and reports leads/s, seconds and peak RSS for:
- `rules`: the rule engine plus reasons, every scoring model of the config;
- `rules_and_model`: the same with a `LeadModel` trained on a 20,000-lead sample (skipped
  with `--no-model`).

    python benchmarks/scoring_throughput.py [--rows 1000000] [--seed 7] [--no-model]
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from connector.scoring.config import load_config
from connector.scoring.engine import Scorer
from connector.scoring.leads import LeadFrame

CONFIG = Path(__file__).resolve().parents[1] / "config" / "scoring.yaml"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

TITLES = np.array(
    [
        "CEO",
        "VP of Marketing",
        "Director of Sales",
        "Marketing Manager",
        "Sales Manager",
        "Data Analyst",
        "Head of Revenue Operations",
        "Software Engineer",
        "Student",
        "Marketing Intern",
        "Looking for opportunities",
        "CFO",
        "Founder",
        "Account Executive",
    ],
    dtype=object,
)
SIZES = np.array(["1-5", "5-25", "25-50", "50-100", "100-500", "500-1000", "1000+"], dtype=object)
INDUSTRIES = np.array(
    [
        "COMPUTER_SOFTWARE",
        "INTERNET",
        "FINANCIAL_SERVICES",
        "RETAIL",
        "HIGHER_EDUCATION",
        "MARKETING_AND_ADVERTISING",
        "CONSTRUCTION",
        "BANKING",
    ],
    dtype=object,
)
COUNTRIES = np.array(
    ["United States", "United Kingdom", "Germany", "France", "India", "Brazil", "Canada"],
    dtype=object,
)
DOMAINS = np.array(
    [
        "acme.com",
        "globex.io",
        "initech.de",
        "gmail.com",
        "yahoo.com",
        "stanford.edu",
        "salesforce.com",
        "mailinator.com",
        "umbrella.co.uk",
        "hooli.com",
    ],
    dtype=object,
)
FORMS = np.array(
    [
        "Demo request",
        "Free trial signup",
        "Ebook download",
        "Webinar registration",
        "Newsletter signup",
        "Pricing page form",
    ],
    dtype=object,
)


def synthetic_leads(rows: int, seed: int) -> tuple[LeadFrame, np.ndarray]:
    """A HubSpot-like batch of `rows` leads and a hidden converted flag (for training)."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, rows + 1).astype(str).astype(object)

    def blank(values: np.ndarray, missing: float) -> np.ndarray:
        """HubSpot sends empty properties as null."""
        values = values.astype(object)
        values[rng.random(rows) < missing] = None
        return values

    def pick(values: np.ndarray, missing: float = 0.1) -> np.ndarray:
        return blank(values[rng.integers(0, len(values), rows)], missing)

    def count(scale: float, missing: float = 0.2) -> np.ndarray:
        return blank(rng.poisson(scale, rows).astype(str), missing)

    def date(max_days: int, missing: float = 0.3) -> np.ndarray:
        ms = int(NOW.timestamp() * 1000) - rng.integers(0, max_days * 86_400_000, rows)
        stamps = np.char.add(np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms"), "Z")
        return blank(stamps, missing)

    domains = pick(DOMAINS, missing=0.0)
    emails = pd.Series(ids).radd("lead").str.cat(pd.Series(domains), sep="@").to_numpy(dtype=object)
    contacts = pd.DataFrame(
        {
            "jobtitle": pick(TITLES),
            "numemployees": pick(SIZES),
            "industry": pick(INDUSTRIES),
            "country": pick(COUNTRIES),
            "email": emails,
            "hs_analytics_num_page_views": count(12),
            "hs_analytics_num_visits": count(3),
            "hs_analytics_last_visit_timestamp": date(365),
            "hs_email_open": count(4),
            "hs_email_click": count(1),
            "hs_email_replied": count(0.2),
            "hs_email_bounce": count(0.05),
            "hs_email_optout": np.where(rng.random(rows) < 0.05, "true", "false").astype(object),
            "hs_email_bad_address": blank(np.full(rows, "true"), 0.99),
            "hs_email_last_open_date": date(365),
            "hs_email_last_click_date": date(365, missing=0.6),
            "hs_sales_email_last_replied": date(365, missing=0.9),
            "num_conversion_events": count(1.5),
            "recent_conversion_event_name": pick(FORMS, missing=0.4),
            "recent_conversion_date": date(365, missing=0.4),
            "engagements_last_meeting_booked": date(200, missing=0.85),
        },
        index=pd.Index(ids, name="id"),
    )
    n_acts = int(rows * 1.5)
    kinds = np.array(["meeting", "call", "email", "note", "task"], dtype=object)
    outcomes = np.array(["completed", "no_show", "scheduled", "no_answer", None], dtype=object)
    activities = pd.DataFrame(
        {
            "contact_id": ids[rng.integers(0, rows, n_acts)],
            "kind": kinds[rng.integers(0, len(kinds), n_acts)],
            "timestamp": pd.to_datetime(
                int(NOW.timestamp() * 1000) - rng.integers(0, 300 * 86_400_000, n_acts),
                unit="ms",
                utc=True,
            ),
            "outcome": outcomes[rng.integers(0, len(outcomes), n_acts)],
            "direction": np.where(rng.random(n_acts) < 0.3, "INCOMING_EMAIL", "EMAIL").astype(
                object
            ),
        }
    )
    fit_signal = np.isin(contacts["numemployees"].to_numpy(), ["50-100", "100-500", "500-1000"])
    intent = contacts["recent_conversion_event_name"].to_numpy() == "Demo request"
    converted = rng.random(rows) < 0.02 + 0.15 * fit_signal + 0.3 * intent
    return LeadFrame(contacts=contacts, activities=activities), converted


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(scorer: Scorer, leads: LeadFrame) -> dict[str, object]:
    start = time.perf_counter()
    cpu_start = time.process_time()
    results = scorer.score(leads, NOW)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    tiers = results["default"].frame["tier"].value_counts(normalize=True).round(3).to_dict()
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "leads_per_second": round(len(leads) / seconds),
        "peak_rss_mb": round(_peak_rss_mb()),
        "models": len(results),
        "default_tier_shares": tiers,
    }


def main() -> None:
    """Generate, score and print the JSON report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-model", action="store_true", help="measure the rules only")
    args = parser.parse_args()

    started = time.perf_counter()
    leads, _ = synthetic_leads(args.rows, args.seed)
    report: dict[str, object] = {
        "rows": args.rows,
        "activities": len(leads.activities),
        "generate_seconds": round(time.perf_counter() - started, 2),
        "rss_after_generate_mb": round(_peak_rss_mb()),
    }
    config = load_config(CONFIG)
    report["rules"] = _run(Scorer(config), leads)
    if not args.no_model:
        from connector.scoring.model import train_model

        sample = min(20_000, args.rows)
        train_leads, train_converted = synthetic_leads(sample, args.seed + 1)
        model = train_model(
            train_leads.contacts,
            pd.Series(train_converted, index=train_leads.contacts.index),
            now=NOW,
            activities=train_leads.activities,
        )
        models = {config.artifact_key(name): model for name in config.models}
        report["rules_and_model"] = _run(Scorer(config, models), leads)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
