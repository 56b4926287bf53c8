"""The serving bundle: a zip with a FastAPI app around the model file, pinned requirements and a Dockerfile."""

import importlib.metadata
import io
import json
import zipfile
from pathlib import Path

from pipeline_core.model_files import load_model, own_modules, untrusted_types

TEMPLATES = Path(__file__).with_name("bundle")  # serve.py, Dockerfile, README.md, copied as they are
SERVING = {"fastapi": "0.115", "uvicorn": "0.30"}  # floors when the packages are not installed here


def serving_bundle(
    model_file: bytes,
    *,
    title: str,
    features: dict[str, str],
    versions: dict[str, str],
    as_text: frozenset[str] = frozenset(),
) -> bytes:
    """The zip's bytes. `features`: each training column and its type; `as_text`: numeric columns that were
    text in training; `versions`: the libraries the model was trained with (pinned, so it loads as saved).

    Raises:
        PipelineCoreError: the file holds types outside Pipewright's allowlist (it is loaded to check).
    """
    load_model(model_file)
    trusted = untrusted_types(model_file)
    pins = [f"{name}=={versions[name]}" for name in ("scikit-learn", "pandas", "numpy", "skops") if name in versions]
    pins += [f"{name}{_installed(name, floor)}" for name, floor in SERVING.items()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for template in sorted(TEMPLATES.iterdir()):
            bundle.writestr(template.name, template.read_text())
        bundle.writestr("model.skops", model_file)
        about = {"title": title, "features": features, "numbers_as_text": sorted(as_text), "trusted": trusted}
        bundle.writestr("model.json", json.dumps(about, indent=2))
        bundle.writestr("requirements.txt", "\n".join(pins) + "\n")
        for path, source in own_modules(model_file).items():  # what the model needs to load, if anything
            bundle.writestr(path, source)
    return buffer.getvalue()


def _installed(name: str, floor: str) -> str:
    try:
        return f"=={importlib.metadata.version(name)}"
    except importlib.metadata.PackageNotFoundError:
        return f">={floor}"
