"""Running `leadscore` as users do: a separate process, `python -m connector`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_leadscore(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """`leadscore ARGS` from the repository root, its output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "connector", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=timeout,
        check=False,
        # Rich wraps at 80 columns when not on a terminal; the messages themselves are one line.
        env={**os.environ, "COLUMNS": "400"},
    )
