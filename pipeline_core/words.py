"""Numbers in sentences."""


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """'1 row', '2,000 rows': the noun agreeing with its count."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
