"""Serialising trained pipelines: skops files that load without running arbitrary code (joblib on request)."""

import inspect
import io
import zipfile

import joblib
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline

from pipeline_core import columns, transformers
from pipeline_core.errors import PipelineCoreError

# Types a Pipewright model file may hold beyond skops' own defaults: a few scikit-learn internals and
# Pipewright's own transformers. Anything else is refused on load.
TRUSTED_TYPES = frozenset(
    {
        "numpy.dtype",
        "numpy.ravel",  # hands a text column to TfidfVectorizer as the one list of documents it reads
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.impute._iterative._ImputerTriplet",
        # skops trusts the estimators scikit-learn lists when skops is imported, and scikit-learn lists this one
        # only once sklearn.experimental has enabled it, which the catalog does when it builds one
        "sklearn.impute._iterative.IterativeImputer",
        "sklearn.metrics._dist_metrics.EuclideanDistance64",
        "sklearn.model_selection._split.KFold",
        "sklearn.neighbors._ball_tree.BallTree",
        "sklearn.neighbors._kd_tree.KDTree",
        "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
        "sklearn.tree._tree.Tree",
    }
    | {
        f"{transformers.__name__}.{name}"
        for name, value in vars(transformers).items()
        if isinstance(value, type) and issubclass(value, BaseEstimator) and value.__module__ == transformers.__name__
    }
)


def dump_model(pipeline: Pipeline) -> bytes:
    """The fitted pipeline as skops bytes."""
    import skops.io as sio  # here, not at the top: a third of a second that most imports of this module never need

    return sio.dumps(pipeline)


def joblib_bytes(pipeline: Pipeline) -> bytes:
    """The fitted pipeline as a joblib pickle: loading it runs code, so it is offered only on request."""
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer)
    return buffer.getvalue()


def untrusted_types(data: bytes) -> list[str]:
    """The types skops would need to be told to trust to load this file."""
    import skops.io as sio

    return sio.get_untrusted_types(data=data)


def load_model(data: bytes) -> Pipeline:
    """Load skops bytes, trusting only the types a Pipewright model is made of.

    Raises:
        PipelineCoreError: the file holds a type outside the allowlist (or is not a skops file).
    """
    try:
        unexpected = sorted(set(untrusted_types(data)) - TRUSTED_TYPES)
    except Exception as error:  # noqa: BLE001 - skops raises many kinds on a corrupt file
        raise PipelineCoreError(f"Not a readable skops model file: {error}") from error
    if unexpected:
        raise PipelineCoreError(f"Refusing to load a model file with untrusted types: {', '.join(unexpected)}.")
    import skops.io as sio

    return sio.loads(data, trusted=sorted(TRUSTED_TYPES))


def own_modules(data: bytes) -> dict[str, str]:
    """The module files this model needs beside scikit-learn, pandas and skops to load: Pipewright's own
    transformers (and the column readers they use), as paths in a folder → source; none when it uses only
    scikit-learn's parts."""
    if not any(name.startswith(f"{transformers.__name__}.") for name in untrusted_types(data)):
        return {}
    return {
        "pipeline_core/__init__.py": "",
        "pipeline_core/columns.py": inspect.getsource(columns),
        "pipeline_core/transformers.py": inspect.getsource(transformers),
    }


def modules_zip(modules: dict[str, str]) -> bytes:
    """The module files as a zip, to unpack beside the script that loads the model."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path, source in modules.items():
            bundle.writestr(path, source)
    return buffer.getvalue()
