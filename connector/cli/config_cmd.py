"""`leadscore config check FILE`: validate a scoring configuration with clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from connector.errors import LeadscoreError
from connector.scoring.config import ConfigError, ScoringConfig, config_hash
from connector.scoring.properties import property_names
from connector.scoring_files import load_config

config_app = typer.Typer(
    help="Scoring configuration: validate it before the worker uses it.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add the `config` command group to the CLI."""
    app.add_typer(config_app, name="config")


@config_app.command("check")
def check(
    file: Path = typer.Argument(..., help="The scoring configuration YAML file to validate."),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Validate a scoring configuration: every problem is listed as
    `file: path (line N): expected X, found Y`; exit code 0 only when the file is valid."""
    try:
        config = load_config(file)
    except ConfigError as exc:
        count = len(exc.problems)
        if json_output:
            problems = [
                {
                    "file": p.file,
                    "path": p.path,
                    "line": p.line,
                    "expected": p.expected,
                    "found": p.found,
                }
                for p in exc.problems
            ]
            typer.echo(json.dumps({"valid": False, "problems": problems}, indent=2))
        else:
            # Plain echo: one line per problem, never wrapped or read as markup.
            for problem in exc.problems:
                typer.echo(f"error: {problem}", err=True)
        raise LeadscoreError(f"{count} problem{'s' if count != 1 else ''} in {file}") from None
    summary = summarise(config)
    if json_output:
        typer.echo(json.dumps({"valid": True, "file": str(file), **summary}, indent=2))
        return
    typer.echo(f"ok: {file} is valid (hash {summary['hash']})")
    for name, model in summary["models"].items():
        typer.echo(
            f"  {name}: {model['fit_criteria']} fit + {model['engagement_criteria']} engagement "
            f"criteria, {model['exclusions']} exclusions; writes {model['score_property']}, ..."
        )


def summarise(config: ScoringConfig) -> dict[str, Any]:
    """A short JSON-ready summary of a valid configuration."""
    models: dict[str, dict[str, Any]] = {}
    for name, model in config.models.items():
        models[name] = {
            "label": model.label,
            "fit_criteria": sum(c.kind == "fit" for c in model.criteria),
            "engagement_criteria": sum(c.kind == "engagement" for c in model.criteria),
            "exclusions": len(model.exclusions),
            "score_property": property_names(name).score,
            "likelihood_model": config.artifact_key(name),
        }
    return {
        "hash": config_hash(config),
        "models": models,
        "properties_used": config.properties_used(),
        "activity_kinds_used": config.activity_kinds_used(),
    }
