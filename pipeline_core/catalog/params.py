"""Parameter types: each validates a value, describes itself in plain words and gives examples.

Catalog entries declare their parameters with these; the spec validator, the form renderer and
the tests all read them, so a parameter is declared exactly once.
"""

import math
import reprlib
from dataclasses import dataclass
from typing import Any

SHOWN_CHARACTERS = 80  # of a rejected value: a file can hold a value of any size


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

    def validate(self, value: Any, *, owner: str) -> Any:
        """Return the value, normalised, or raise ValueError naming `owner` and the rule."""
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def examples(self) -> tuple[Any, Any]:
        """A (valid, invalid) pair of values, for contract tests."""
        raise NotImplementedError

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


def _shown(value: Any) -> str:
    """A rejected value as the message shows it: its repr, cut short (without writing out a huge value first)."""
    shorter = reprlib.Repr()
    shorter.maxlevel, shorter.maxlist, shorter.maxdict, shorter.maxstring, shorter.maxother = 2, 4, 4, 60, 60
    text = shorter.repr(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"
