"""The front door: README documents every setting, CI runs the README's test command, code is lint-clean."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from survey.settings import Settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented_with_its_default(name: str) -> None:
    field = Settings.model_fields[name]
    variable = f"SURVEY_{name.upper()}"
    row = next((line for line in README.splitlines() if line.startswith(f"| `{variable}`")), None)
    assert row is not None, f"README.md lacks a row for {variable} in its settings table"
    default = str(field.default).lower() if isinstance(field.default, bool) else str(field.default)
    shown = f"`{default}`" in row or (default == "" and "(empty)" in row) or (
        field.default is None and "(unset)" in row)
    assert shown, f"{variable}: default {default!r} not shown"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = re.findall(r"^(python3 -m venv .*pytest.*)$", README, flags=re.M)
    assert commands, "README.md shows no test command"
    assert commands[0] in ci.splitlines()


def test_the_dockerfile_copies_what_exists_and_serves() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for source in re.findall(r"^COPY (\S+)", dockerfile, flags=re.M):
        assert (ROOT / source).exists(), source
    assert 'CMD ["survey", "serve"]' in dockerfile and "SURVEY_HOST=0.0.0.0" in dockerfile


def test_the_code_is_ruff_clean() -> None:
    ruff = shutil.which("ruff") or str(ROOT / ".venv" / "bin" / "ruff")
    result = subprocess.run([ruff, "check", "survey", "tests", "bench"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_empty_variable_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SURVEY_CACHE_DIR", "")  # not Path("") — the working directory, where tables were written
    monkeypatch.setenv("SURVEY_EXPORT_HOURS", "")
    settings = Settings()
    assert settings.cache_dir is None and settings.export_hours == Settings.model_fields["export_hours"].default
