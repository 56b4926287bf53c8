"""The engine's exception hierarchy: every message says what was expected and what was got."""


class PipelineCoreError(Exception):
    """Base class of every error the engine raises on purpose."""


class SpecError(PipelineCoreError, ValueError):
    """A pipeline spec, or a parameter in it, is invalid."""


class DataError(PipelineCoreError, ValueError):
    """The data cannot be read, or cannot be used the way the spec asks."""


class ComputeError(PipelineCoreError):
    """The cores or the cluster the run is to train on cannot be used as configured."""
