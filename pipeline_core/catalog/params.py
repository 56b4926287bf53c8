"""Parameter types: each validates a value, describes itself in plain words, names the scikit-learn argument it
becomes, gives examples and, for the tunable ones, says how a search draws it (Optuna's suggestion, a grid, a
random draw).

Catalog entries declare their parameters with these; the spec validator, the form renderer, the builders, the
searches and the tests all read them, so a parameter is declared exactly once.
"""

import math
import reprlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

GRID_POINTS = 3  # values per number in a grid search: 3 per parameter already makes 81 candidates for 4

SHOWN_CHARACTERS = 80  # of a rejected value: a file can hold a value of any size

_OWN_NAME = "<own name>"  # an argument not told otherwise: the parameter's name (no keyword is spelled so)


@dataclass(frozen=True, kw_only=True)
class Param:
    """A named, documented parameter of a step or model kind."""

    name: str
    label: str
    help: str = ""
    default: Any
    only_for: str | None = None  # a task this parameter applies to; None: every task
    # Where tuning searches by default: (low, high) for numbers, the choices tried for a choice;
    # None: not tuned (iteration caps, switches that change what the step does).
    space: tuple | None = None
    # The scikit-learn keyword argument it becomes: its own name unless told; None when it is no argument of its own
    # (its kind's builder combines it with others, as a network's neurons and layers make its layer sizes).
    argument: str | None = _OWN_NAME
    # How a value becomes the argument's, where scikit-learn spells it otherwise (the form's 0 for 'no limit' is None).
    convert: Callable[[Any], Any] | None = None

    def __post_init__(self):
        if self.argument == _OWN_NAME:
            object.__setattr__(self, "argument", self.name)  # how a frozen dataclass sets a field it derives

    def as_argument(self, value: Any) -> Any:
        """The value, as the scikit-learn argument takes it."""
        return value if self.convert is None else self.convert(value)

    def validate(self, value: Any, *, owner: str) -> Any:
        """Return the value, normalised, or raise ValueError naming `owner` and the rule."""
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def examples(self) -> tuple[Any, Any]:
        """A (valid, invalid) pair of values, for contract tests."""
        raise NotImplementedError

    # How a search draws the parameter within `values` (the spec's [low, high], or the choices tried).
    def suggest(self, trial, values: list) -> Any:
        """Optuna's suggestion, from a trial."""
        raise NotImplementedError(f"{type(self).__name__} is not searched")

    def optuna_distribution(self, values: list):
        raise NotImplementedError(f"{type(self).__name__} is not searched")

    def grid(self, values: list) -> list:
        """The values a grid search tries."""
        raise NotImplementedError(f"{type(self).__name__} is not searched")

    def draws(self, values: list):
        """What a random search samples: a scipy distribution, or the choices."""
        raise NotImplementedError(f"{type(self).__name__} is not searched")

    def _fail(self, value: Any, owner: str) -> ValueError:
        return ValueError(
            f"The '{self.name}' parameter of {owner} must be {self.describe()}. Got {_shown(value)} instead."
        )


@dataclass(frozen=True, kw_only=True)
class IntParam(Param):
    low: int
    high: int

    def validate(self, value: Any, *, owner: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(value, owner)
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            raise self._fail(value, owner)
        if not self.low <= value <= self.high:
            raise self._fail(value, owner)
        return int(value)

    def describe(self) -> str:
        return f"a whole number from {self.low} to {self.high}"

    def examples(self) -> tuple[int, int]:
        return self.default, self.high + 1

    def suggest(self, trial, values: list) -> int:
        return trial.suggest_int(self.name, values[0], values[1])

    def optuna_distribution(self, values: list):
        from optuna.distributions import IntDistribution  # the searches' library, loaded when one runs

        return IntDistribution(values[0], values[1])

    def grid(self, values: list) -> list[int]:
        return sorted({int(round(point)) for point in np.linspace(values[0], values[1], GRID_POINTS)})

    def draws(self, values: list):
        from scipy.stats import randint  # loaded when a search runs: reading the catalog does not need scipy

        return randint(values[0], values[1] + 1)


@dataclass(frozen=True, kw_only=True)
class FloatParam(Param):
    low: float
    high: float
    log: bool = False

    def validate(self, value: Any, *, owner: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(value, owner)
        if not self.low <= value <= self.high:
            raise self._fail(value, owner)
        return float(value)

    def describe(self) -> str:
        return f"a number from {self.low:g} to {self.high:g}"

    def examples(self) -> tuple[float, float]:
        return self.default, self.high * 2 + 1

    def _log(self, values: list) -> bool:
        return self.log and values[0] > 0

    def suggest(self, trial, values: list) -> float:
        return trial.suggest_float(self.name, values[0], values[1], log=self._log(values))

    def optuna_distribution(self, values: list):
        from optuna.distributions import FloatDistribution

        return FloatDistribution(values[0], values[1], log=self._log(values))

    def grid(self, values: list) -> list[float]:
        spaced = np.geomspace if self._log(values) else np.linspace
        return [float(point) for point in spaced(values[0], values[1], GRID_POINTS)]

    def draws(self, values: list):
        from scipy.stats import loguniform, uniform

        low, high = values
        return loguniform(low, high) if self._log(values) else uniform(low, high - low)


@dataclass(frozen=True, kw_only=True)
class ChoiceParam(Param):
    choices: dict[str, str]  # value -> label shown to the user

    def validate(self, value: Any, *, owner: str) -> str:
        if value not in self.choices:
            raise self._fail(value, owner)
        return value

    def describe(self) -> str:
        return "one of " + ", ".join(repr(choice) for choice in self.choices)

    def examples(self) -> tuple[str, str]:
        return self.default, "no-such-choice"

    def suggest(self, trial, values: list) -> str:
        return trial.suggest_categorical(self.name, values)

    def optuna_distribution(self, values: list):
        from optuna.distributions import CategoricalDistribution

        return CategoricalDistribution(values)

    def grid(self, values: list) -> list:
        return list(values)

    def draws(self, values: list) -> list:
        return list(values)


@dataclass(frozen=True, kw_only=True)
class BoolParam(Param):
    def validate(self, value: Any, *, owner: str) -> bool:
        if not isinstance(value, bool):
            raise self._fail(value, owner)
        return value

    def describe(self) -> str:
        return "true or false"

    def examples(self) -> tuple[bool, str]:
        return self.default, "yes"


def no_limit(value: int) -> int | None:
    """The form's 0 means 'no limit', which scikit-learn spells None."""
    return value or None


def none_is_none(value: str) -> str | None:
    """The choice 'none' (a form's and a JSON file's word for it) is scikit-learn's None."""
    return None if value == "none" else value


def _shown(value: Any) -> str:
    """A rejected value as the message shows it: its repr, cut short (without writing out a huge value first)."""
    shorter = reprlib.Repr()
    shorter.maxlevel, shorter.maxlist, shorter.maxdict, shorter.maxstring, shorter.maxother = 2, 4, 4, 60, 60
    text = shorter.repr(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"
