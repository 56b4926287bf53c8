"""The engine and storage never import streamlit; pages never import scikit-learn."""

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


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "pipeline_core").glob("*.py")) + sorted((ROOT / "storage").glob("*.py")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_engine_and_storage_do_not_import_streamlit(path):
    assert "streamlit" not in _imports(path)


@pytest.mark.parametrize("path", sorted((ROOT / "pipeline_core").glob("*.py")), ids=lambda p: p.name)
def test_engine_imports_storage_only_in_the_cli(path):
    if path.name != "cli.py":
        assert "storage" not in _imports(path)


@pytest.mark.parametrize("path", [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))], ids=lambda p: p.name)
def test_pages_hold_no_ml_code(path):
    assert "sklearn" not in _imports(path)
