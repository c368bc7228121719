"""The pure core stays pure: no web, database, PDF or template imports; modules stay small."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "survey"

# Modules that must run without a web server, a database or a PDF engine.
PURE_GLOBS = [
    "survey/schema/*.py",
    "survey/errors.py",
    "survey/validation.py",
    "survey/messages.py",
    "survey/messages_api.py",
    "survey/messages_disclosure.py",
    "survey/messages_responses.py",
    "survey/messages_analysis.py",
    "survey/quotas.py",
    "survey/retention.py",
    "survey/register.py",
    "survey/messages_gdpr.py",
    "survey/messages_forms.py",
    "survey/dropouts.py",
    "survey/messages_publishing.py",
    "survey/publishing.py",
    "survey/messages_invitations.py",
    "survey/contacts.py",
    "survey/messages_interviews.py",
    "survey/response_view.py",
    "survey/dataset.py",
    "survey/anonymise.py",
    "survey/channels.py",
    "survey/aggregate/*.py",
    "survey/expressions/*.py",
    "survey/logic.py",
    "survey/logic_json.py",
    "survey/form_input.py",
    "survey/versions.py",
    "survey/access.py",
    "survey/throttle.py",
    "survey/synthetic.py",
    "survey/codecs/*.py",
    "survey/coded/*.py",
    "survey/disclosure/*.py",
    "survey/interviews/*.py",
]
FORBIDDEN = {"litestar", "sqlmodel", "sqlalchemy", "alembic", "weasyprint", "jinja2", "uvicorn", "psycopg"}
# Third-party packages a pure module may use: pydantic/yaml-level helpers, polars and numpy for tables and arrays,
# re2 (a regular expression engine that runs in linear time, for questionnaires' regex()). Extend on purpose, not by
# accident.
ALLOWED_THIRD_PARTY = {"pydantic", "pydantic_core", "annotated_types", "typing_extensions", "yaml", "polars", "numpy",
                       "re2"}
MAX_LINES = 400


def _pure_files() -> list[Path]:
    return sorted({path for pattern in PURE_GLOBS for path in ROOT.glob(pattern)})


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


PURE_MODULES = {_module_name(path) for path in _pure_files()}


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import in the file, `from x import y` giving `x.y` when it is a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                is_module = (ROOT / Path(*candidate.split("."))).with_suffix(".py").exists() or (
                    ROOT / Path(*candidate.split(".")) / "__init__.py").exists()
                found.append((node.lineno, candidate if base.startswith("survey") and is_module else base))
    return found


def test_the_pure_modules_exist() -> None:
    assert {"survey.schema", "survey.schema.model", "survey.errors", "survey.validation"} <= PURE_MODULES


@pytest.mark.parametrize("path", _pure_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_module_imports_only_pure_things(path: Path) -> None:
    bad = []
    for line, module in _imports(path):
        top = module.split(".")[0]
        where = f"{path.relative_to(ROOT)}:{line}: imports {module}"
        if top in FORBIDDEN:
            bad.append(f"{where} (web, database, PDF or templates belong outside the pure core)")
        elif top == "survey":
            if module != "survey" and module not in PURE_MODULES:
                bad.append(f"{where}, which is not a pure module")
        elif top not in sys.stdlib_module_names and top not in ALLOWED_THIRD_PARTY and top != "__future__":
            bad.append(f"{where}; add it to ALLOWED_THIRD_PARTY only if it is a pydantic/yaml-level helper")
    assert bad == []


def test_the_import_walk_sees_package_and_sibling_imports() -> None:
    module = ROOT / "survey" / "schema" / "model.py"
    imports = {name for _, name in _imports(module)}
    assert "pydantic" in imports and "survey.schema.types" in imports
    assert "survey.templating" not in PURE_MODULES


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_passes_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it into a package"
