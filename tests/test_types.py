"""The application packages type-check: mypy with the Django and DRF plugins,
configured in mypy.ini (its cache lives in var/, so repeat runs are quick)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_finds_no_errors() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--config-file", "mypy.ini"],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(f"mypy:\n{result.stdout}{result.stderr}", pytrace=False)
