"""What each column holds: its inferred type, dates and their format, numbers written as text."""

import difflib
import re
from typing import Literal

import pandas as pd

ColumnType = Literal["numeric", "categorical", "boolean", "datetime", "text", "id"]
Role = Literal["feature", "id", "ignore", "datetime", "group"]
COLUMN_TYPES: tuple[ColumnType, ...] = ("numeric", "categorical", "boolean", "datetime", "text", "id")
ROLES: dict[Role, str] = {
    "feature": "Feature",
    "id": "Identifier (kept out of the features)",
    "ignore": "Ignore",
    "datetime": "Time order (kept out of the features)",
    "group": "Group (kept out of the features)",
}

# Enough values to judge a column's format; checking more only costs time.
SAMPLE_VALUES = 1000
MIN_SHARE = 0.95  # share of values that must fit a date format or parse as numbers
CODE_WIDTH = 3  # digits with leading zeros this wide or wider, all alike, are codes rather than numbers
MIN_ROWS_FOR_ID = 20  # in a smaller table, values that never repeat prove nothing
BOOLEAN_WORDS = {"true", "false", "yes", "no", "y", "n", "t", "f"}
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%d/%m/%y",
    "%m/%d/%y",
)  # day-first before month-first: when both fit every value, day-first is the likelier reading
_ID_NAME = re.compile(r"(^|[_\s-])id$|^id([_\s-]|$)|_id_|identifier|uuid|guid", re.IGNORECASE)
# 1.234,5 or 12,5 — but not 2,000, which reads as two thousand
_EU_NUMBER = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$|^-?\d+,(\d{1,2}|\d{4,})$")


def _sample(series: pd.Series) -> pd.Series:
    values = series.dropna()
    return values.sample(SAMPLE_VALUES, random_state=0) if len(values) > SAMPLE_VALUES else values


def _is_text(series: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(series) or series.dtype == object


def datetime_format(series: pd.Series, *, min_share: float = MIN_SHARE) -> str | None:
    """The strftime format that reads at least `min_share` of a text column's values (the most it can), or None."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return "ISO 8601"
    if not _is_text(series):
        return None
    sample = _sample(series).astype(str).str.strip()
    if sample.empty or sample.str.contains(r"\d", regex=True).mean() < min_share:
        return None
    best, best_share = None, min_share
    for date_format in DATE_FORMATS:
        share = pd.to_datetime(sample, format=date_format, errors="coerce").notna().mean()
        if share > best_share or (share == 1.0 and best is None):
            best, best_share = date_format, share
        if share == 1.0:
            break
    return best


def number_convention(values: pd.Series) -> Literal["us", "eu"]:
    """'eu' when values look like 1.234,5 (comma decimals), else 'us' (1,234.5)."""
    cleaned = _strip_symbols(_sample(values).astype(str))
    return "eu" if cleaned.str.match(_EU_NUMBER).mean() > 0.5 else "us"


def _strip_symbols(values: pd.Series) -> pd.Series:
    return (
        values.str.strip()
        .str.replace(r"[\s\u00a0$€£¥%]", "", regex=True)
        .str.replace(r"^\((.*)\)$", r"-\1", regex=True)
    )


def parse_numbers(values: pd.Series, convention: Literal["us", "eu"] | None = None) -> pd.Series:
    """Numbers written as text ('$12,345.67', '12.5%', '1.234,5') as floats; NaN where a value is no number."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    convention = convention or number_convention(values)
    cleaned = _strip_symbols(values.astype("str"))
    if convention == "eu":
        cleaned = cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        cleaned = cleaned.str.replace(",", "", regex=False)
    parsed = pd.to_numeric(cleaned, errors="coerce").astype(float)
    return parsed.where(values.notna())


def written_as_codes(text: pd.Series) -> bool:
    """Digits all of one width, of at least three, some with leading zeros ('00123', '02139'): codes such as ids
    and postcodes, which as numbers would lose them. Hours written '07' or one typo '007' among ages are numbers."""
    values = text.dropna().astype(str).str.strip()
    widths = values.str.len()
    return bool(
        not values.empty
        and values.str.fullmatch(r"\d+").all()
        and widths.nunique() == 1
        and widths.iloc[0] >= CODE_WIDTH
        and values.str.startswith("0").any()
    )


def numbers_as_text(series: pd.Series) -> bool:
    """A text column whose values (nearly) all read as numbers once symbols and separators go, and are not codes."""
    if not _is_text(series):
        return False
    sample = _sample(series)
    return bool(not sample.empty and not written_as_codes(sample) and parse_numbers(sample).notna().mean() >= MIN_SHARE)


def is_id_like(series: pd.Series) -> bool:
    """Different in every row, and either text or a whole number that counts up or is named like an id."""
    values = series.dropna()
    if len(values) < MIN_ROWS_FOR_ID or len(values) != len(series) or values.nunique() != len(values):
        return False
    if _is_text(series):
        return True
    if pd.api.types.is_integer_dtype(series):
        return bool(values.is_monotonic_increasing or _ID_NAME.search(str(series.name)))
    return False


def _is_free_text(series: pd.Series) -> bool:
    sample = _sample(series).astype(str)
    return bool(
        not sample.empty
        and sample.nunique() > 0.5 * len(sample)
        and sample.str.len().mean() >= 20
        and sample.str.contains(" ").mean() > 0.5
    )


def infer_column_type(series: pd.Series) -> ColumnType:
    """One column's type, from its dtype and (for text) what its values look like."""
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    if pd.api.types.is_numeric_dtype(series):
        return "id" if is_id_like(series) else "numeric"
    values = series.dropna()
    if not values.empty and set(values.astype(str).str.strip().str.lower().unique()) <= BOOLEAN_WORDS:
        return "boolean"
    if datetime_format(series):
        return "datetime"
    if _is_free_text(series):
        return "text"
    if numbers_as_text(series):
        return "categorical"  # until the analyst accepts the conversion the profile offers
    if is_id_like(series):
        return "id"
    return "categorical"


def infer_column_types(frame: pd.DataFrame) -> dict[str, ColumnType]:
    return {column: infer_column_type(frame[column]) for column in frame.columns}


def mixed_type_share(series: pd.Series) -> float:
    """For a text column: the share of values that are numbers (0 or 1 is not mixed)."""
    if not _is_text(series):
        return 0.0
    sample = _sample(series)
    return float(pd.to_numeric(sample, errors="coerce").notna().mean()) if not sample.empty else 0.0


def parse_dates(values: pd.Series, date_format: str | None = None) -> pd.Series:
    """Dates read with the given format, or the one detected (day-first when ambiguous); NaT where unreadable."""
    date_format = date_format or datetime_format(values, min_share=0.5)
    if date_format in (None, "ISO 8601"):
        return pd.to_datetime(values, errors="coerce", format="mixed" if date_format is None else "ISO8601")
    return pd.to_datetime(values.astype("str"), format=date_format, errors="coerce")


def read_as(values: pd.Series, column_type: ColumnType | None) -> pd.Series:
    """The values as their type reads them: text in a numeric column becomes numbers; all else is unchanged."""
    if column_type == "numeric" and not pd.api.types.is_numeric_dtype(values):
        return parse_numbers(values)
    return values


def likely_renamed(missing: list[str], extra: list[str]) -> dict[str, str]:
    """A missing column and the extra one whose name is closest, when it is close: `Tenure Months` for
    `tenure_months`."""
    by_key = {_name_key(column): column for column in extra}
    found = {}
    for column in missing:
        close = difflib.get_close_matches(_name_key(column), list(by_key), n=1, cutoff=0.75)
        if close:
            found[column] = by_key[close[0]]
    return found


def _name_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def name_words(name) -> list[str]:
    """The words of a column's name: 'SalePrice' → ['sale', 'price'], 'Churn Value' → ['churn', 'value']."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", str(name))
    return [word for word in re.split(r"[^a-z0-9]+", spaced.lower()) if word]
