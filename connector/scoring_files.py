"""Files of the scoring domain: the scoring configuration YAML and model artifact files.

`connector.scoring` is pure: it parses configuration text and model bytes. Reading and
writing them on disk happens here, so the CLI, the sync and the reports share one way to do
it (and one set of error messages for a missing or unreadable file).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from connector.errors import LeadscoreError
from connector.scoring.config import ScoringConfig, parse_config_text
from connector.scoring.config_errors import ConfigError, ConfigProblem

if TYPE_CHECKING:
    from connector.scoring.model import LeadModel, ModelMetadata

__all__ = ["load_config", "load_model", "read_model_metadata", "save_model"]


def load_config(path: Path) -> ScoringConfig:
    """Read and validate a scoring configuration YAML file.

    Raises `ConfigError` (a `LeadscoreError`) whose message lists every problem, one per
    line, as `file: path (line N): expected X, found Y`: a missing, unreadable or
    non-UTF-8 file as well as every invalid field.
    """
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            [ConfigProblem(source, "", "a scoring configuration file", "no such file")]
        ) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [
                ConfigProblem(
                    source,
                    "",
                    "UTF-8 text",
                    f"byte 0x{exc.object[exc.start]:02x} at offset {exc.start}",
                )
            ]
        ) from None
    except OSError as exc:
        raise ConfigError(
            [ConfigProblem(source, "", "a readable file", exc.strerror or str(exc))]
        ) from None
    return parse_config_text(text, source)


def save_model(model: LeadModel, path: Path) -> None:
    """Write a model artifact file (creating its directory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(model.to_bytes())


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise LeadscoreError(f"{path}: no such model file") from None
    except IsADirectoryError:
        raise LeadscoreError(f"{path}: no such model file") from None
    except OSError as exc:
        raise LeadscoreError(f"{path}: cannot read the model file ({exc.strerror})") from exc


def load_model(path: Path) -> LeadModel:
    """Read a model artifact file; `LeadscoreError` for a missing or damaged one."""
    # Imported here: LightGBM and scikit-learn take most of a second to import, which
    # commands that only read a configuration should not pay.
    from connector.scoring.model import LeadModel

    return LeadModel.from_bytes(_read(path), str(path))


def read_model_metadata(path: Path) -> ModelMetadata:
    """Only the metadata of a model artifact file (the booster is not parsed)."""
    from connector.scoring.model import metadata_from_bytes

    return metadata_from_bytes(_read(path), str(path))
