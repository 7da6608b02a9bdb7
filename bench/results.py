"""Write one benchmark's section of bench/RESULTS.md, replacing its previous figures.

A section starts with a ``## `` heading whose text begins with the benchmark's title and runs
to the next ``## `` heading; the other benchmarks' sections are kept as they are.
"""

import datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(title: str, body: str) -> None:
    """Replace the section whose heading starts with ``## {title}`` by ``body`` (which starts
    with that heading), or append it when there is none yet."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    lines = text.rstrip("\n").split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith(f"## {title}")), None)
    new = body.strip("\n").split("\n")
    if start is None:
        lines += ["", *new]
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        following = ["", *lines[end:]] if end < len(lines) else []
        lines = lines[:start] + new + following
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


def stamp() -> str:
    """When a benchmark ran, in the local time zone (the project's, Asia/Shanghai), named."""
    return datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
