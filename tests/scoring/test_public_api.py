"""The scoring package's public face: every exported name resolves; the model loads lazily."""

from __future__ import annotations

import subprocess
import sys

import connector.scoring as scoring


def test_every_exported_name_resolves() -> None:
    missing = [name for name in scoring.__all__ if getattr(scoring, name, None) is None]
    assert missing == []


def test_rules_alone_do_not_import_lightgbm() -> None:
    code = (
        "import sys, connector.scoring as s\n"
        "assert 'lightgbm' not in sys.modules, 'imported eagerly'\n"
        "s.LeadModel\n"
        "assert 'lightgbm' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
