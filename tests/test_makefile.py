"""The Makefile installs torch from where pip is configured, or from TORCH_INDEX_URL when given."""
import shutil
import subprocess

import pytest

from tests.conftest import ROOT


def _torch_install_line(*args: str) -> str:
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    dry_run = subprocess.run(["make", "-n", "-B", ".venv/bin/policy-assistant", *args], cwd=ROOT, capture_output=True,
                             text=True, timeout=60, check=True).stdout
    return next(line for line in dry_run.splitlines() if "install" in line and "torch==" in line)


def test_torch_comes_from_pip_configuration_by_default():
    assert "--index-url" not in _torch_install_line()


def test_torch_index_url_selects_where_torch_comes_from():
    line = _torch_install_line("TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu")
    assert "--index-url https://download.pytorch.org/whl/cpu torch==2.13.0" in line
