"""Numbers in sentences."""


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """'1 row', '2,000 rows': the noun agreeing with its count."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def score(value: float) -> str:
    """A score as people read it: 0.873 for a share, 12.40 for a small error, 26,205 for a large one."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) >= 10 else f"{value:.3f}"
