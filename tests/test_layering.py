"""Imports point down: pages → ui → services → engine and storage; the engine and storage never import streamlit,
the engine reaches storage only through its command line, and pages never import scikit-learn. Inside the engine
the journey's stages (catalog, data, prepare, train, compare, export, monitor) import only earlier ones, over a
foundation (spec, errors, columns, transformers, schema, model files, words), with no cycles; pages and the CLI hold no
database session of their own; reading a spec or a stored run imports no scikit-learn."""

import ast
import subprocess
import sys
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


STAGES = ("catalog", "data", "prepare", "train", "compare", "export", "monitor")  # in the order of the journey
FOUNDATION = {
    "spec",
    "errors",
    "columns",
    "transformers",
    "schema",
    "model_files",
    "words",
}  # below every stage but catalog
ENTRY_POINTS = {"pipeline_core.cli", "pipeline_core.__main__"}  # the headless face may use every stage
PERSISTED = {
    "pipeline_core.spec",
    "pipeline_core.errors",
    "pipeline_core.train.results",
    "pipeline_core.train.curves",
}  # what storage stores


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _all_imports(path: Path) -> set[str]:
    """Every module the file imports, at any depth (a function's lazy import counts as well)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{path}: a relative import would slip past these rules"
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if _is_module(name) or not name.startswith(("pipeline_core", "services"))}


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


ENGINE = {_module_name(p): _all_imports(p) for p in sorted((ROOT / "pipeline_core").rglob("*.py"))}


def _stage(module: str) -> str | None:
    """The journey stage a pipeline_core module belongs to; None for the foundation and entry points."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def test_an_earlier_stage_never_imports_a_later_one():
    backwards = {
        (module, name)
        for module, names in ENGINE.items()
        if _stage(module)
        for name in names
        if _stage(name) and STAGES.index(_stage(name)) > STAGES.index(_stage(module))
    }
    assert not backwards


def test_only_the_entry_point_imports_the_cli():
    assert {module for module, names in ENGINE.items() if "pipeline_core.cli" in names} <= {"pipeline_core.__main__"}


def test_the_foundation_imports_only_the_foundation_and_the_catalog():
    upward = {
        (module, name)
        for module, names in ENGINE.items()
        if module.split(".")[-1] in FOUNDATION and module not in ENTRY_POINTS and len(module.split(".")) == 2
        for name in names
        if name.startswith("pipeline_core.") and _stage(name) not in (None, "catalog")
    }
    assert not upward


def test_no_module_of_the_engine_imports_itself_back_through_others():
    graph = {module: {name for name in names if name in ENGINE} for module, names in ENGINE.items()}
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        for name in graph[module]:
            if name == path[0]:
                cycles.append([*path, name])
            elif name not in path and name > path[0]:  # each cycle found once, from its smallest module
                visit(name, [*path, name])

    for module in graph:
        visit(module, [module])
    assert not cycles


@pytest.mark.parametrize(
    "path",
    [ROOT / "app.py", ROOT / "pipeline_core" / "cli.py", *sorted((ROOT / "pages").glob("*.py"))],
    ids=lambda p: p.name,
)
def test_pages_and_the_cli_go_through_the_services(path):
    source = path.read_text()
    assert "session_scope" not in source
    assert not {name for name in _all_imports(path) if name.startswith("storage.repo")}


def test_storage_knows_only_the_engine_types_it_persists():
    reached = {
        name
        for path in (ROOT / "storage").rglob("*.py")
        for name in _all_imports(path)
        if name.startswith("pipeline_core.")
    }
    assert reached <= PERSISTED


@pytest.mark.parametrize("module", ["pipeline_core.spec", "storage.repo"])
def test_reading_specs_and_stored_runs_imports_no_scikit_learn(module):
    """The catalog names its classes and imports them when it builds one: importing scikit-learn takes seconds."""
    code = f"import sys, {module}; print(*(m for m in sys.modules if m.startswith(('sklearn', 'scipy'))))"
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert not loaded.stdout.split()
