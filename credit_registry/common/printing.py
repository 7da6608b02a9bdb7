"""Printed sheets of slips (parents' codes, pledge slips): a fixed number of slips to an A4 page,
so the print stylesheet breaks pages between groups and never inside a slip."""

from collections.abc import Sequence


def sheet_pages(items: Sequence, per_page: int) -> list[list]:
    """The items in groups of ``per_page``, one group a printed page."""
    return [list(items[i : i + per_page]) for i in range(0, len(items), per_page)]
