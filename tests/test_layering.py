"""Imports point down: pages → ui → services → engine and storage; the engine and storage never import streamlit,
the engine reaches storage only through its command line, and pages never import scikit-learn."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def _modules(*packages: str) -> list[Path]:
    return sorted(path for package in packages for path in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize(
    "path", _modules("pipeline_core", "storage", "services"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_engine_storage_and_services_do_not_import_streamlit_or_the_ui(path):
    assert not {"streamlit", "ui"} & _imports(path)


@pytest.mark.parametrize("path", _modules("pipeline_core"), ids=lambda p: str(p.relative_to(ROOT)))
def test_engine_imports_storage_and_services_only_in_the_cli(path):
    if path.name != "cli.py":
        assert not {"storage", "services"} & _imports(path)


@pytest.mark.parametrize("path", _modules("storage"), ids=lambda p: str(p.relative_to(ROOT)))
def test_storage_does_not_import_the_services_above_it(path):
    assert "services" not in _imports(path)


@pytest.mark.parametrize("path", [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))], ids=lambda p: p.name)
def test_pages_hold_no_ml_code(path):
    assert "sklearn" not in _imports(path)
