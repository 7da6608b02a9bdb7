"""Turn locust's CSV statistics of one run into bench/LOAD.md (called by run.sh)."""

import argparse
import csv
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credit_registry.settings")

ROLE_OF = (
    ("/admin/", "bureau"),
    ("/school/", "principal"),
    ("/portal/", "principal"),
    ("/survey/school/", "principal"),
    ("/reports/", "principal"),
    ("/teacher/<pk>", "principal"),
    ("/teacher/", "teacher"),
    ("/records/", "teacher"),
    ("/notices/", "teacher"),
    ("/login/", "all"),
)


def role(name: str) -> str:
    for prefix, who in ROLE_OF:
        if name.startswith(prefix):
            return who
    return "public"


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = os.cpu_count()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{cores} cores{f' ({model})' if model else ''}, {platform.system()}, "
        f"Python {platform.python_version()}; load average at the end of the run {load}"
    )


def data_size() -> str:
    try:
        import django

        django.setup()
        from django.db import connection

        from evaluations.models import CreditRecord
        from schools.models import School
        from students.models import Student
        from teachers.models import Teacher

        def estimate(model) -> int:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE relname = %s",
                    [model._meta.db_table],
                )
                row = cursor.fetchone()
            return int(row[0]) if row and row[0] > 0 else model.objects.count()

        counts = [
            (School.objects.count(), "schools"),
            (estimate(Teacher), "teachers"),
            (estimate(Student), "students"),
            (estimate(CreditRecord), "credit records"),
        ]
        name = connection.settings_dict["NAME"]
        return f"`{name}`: " + ", ".join(f"~{n:,} {what}" for n, what in counts)
    except Exception as error:  # the report is still worth writing without the sizes
        return f"(sizes unavailable: {error})"


def ms(value: str) -> str:
    return f"{float(value):,.0f}" if value not in ("", "N/A") else "—"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--csv", required=True, help="locust's --csv prefix")
    parser.add_argument("--started", required=True)
    parser.add_argument("--users", required=True)
    parser.add_argument("--run-time", required=True)
    parser.add_argument("--workers", required=True)
    parser.add_argument("--gunicorn-log", default="")
    args = parser.parse_args()

    with open(f"{args.csv}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(f"{args.csv}_failures.csv", newline="") as handle:
        failures = list(csv.DictReader(handle))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    pages = sorted(
        (row for row in rows if row["Name"] != "Aggregated"),
        key=lambda row: (role(row["Name"]), row["Name"], row["Type"]),
    )
    server_errors = 0
    if args.gunicorn_log and Path(args.gunicorn_log).exists():
        text = Path(args.gunicorn_log).read_text(errors="replace")
        server_errors = text.count("Traceback") + text.count("WORKER TIMEOUT")

    lines = [
        "# Load test",
        "",
        "A mixed workload of every role against the app under gunicorn (DEBUG off) on the same",
        "machine, from `bench/load/locustfile.py`; produced by `bench/load/run.sh`, which rewrites",
        "this file. Times are milliseconds as locust saw them (network is the loopback).",
        "",
        f"- **Run:** {args.started}; {args.users} simulated users (public 5 : teacher 3 : "
        f"principal 2 : bureau 1), each waiting 0.5–2.5 s between pages, for {args.run_time}",
        f"- **Server:** gunicorn, {args.workers} sync workers, PostgreSQL on the same machine",
        f"- **Machine:** {machine()}; shared with other work while measuring",
        f"- **Data:** {data_size()}",
        "",
        f"**Total: {int(total['Request Count']):,} requests, "
        f"{float(total['Requests/s']):.1f} requests/s, "
        f"p50 {ms(total['50%'])} ms, p95 {ms(total['95%'])} ms, "
        f"{int(total['Failure Count'])} errors**"
        + (
            f" ({server_errors} server tracebacks or timeouts in gunicorn's log)"
            if server_errors
            else ""
        )
        + ".",
        "",
        "| role | page | requests | errors | req/s | p50 | p95 | p99 | max |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in pages:
        name = row["Name"] if row["Type"] == "GET" else f"{row['Name']} ({row['Type']})"
        lines.append(
            f"| {role(row['Name'])} | `{name}` | {int(row['Request Count']):,} | "
            f"{int(row['Failure Count'])} | {float(row['Requests/s']):.2f} | {ms(row['50%'])} | "
            f"{ms(row['95%'])} | {ms(row['99%'])} | {ms(row['Max Response Time'])} |"
        )
    lines.append(
        f"| | **all** | **{int(total['Request Count']):,}** | **{int(total['Failure Count'])}** | "
        f"**{float(total['Requests/s']):.2f}** | **{ms(total['50%'])}** | **{ms(total['95%'])}** | "
        f"**{ms(total['99%'])}** | **{ms(total['Max Response Time'])}** |"
    )
    if failures:
        lines += ["", "## Errors", "", "| page | error | count |", "|---|---|---:|"]
        for row in failures:
            error = row["Error"].replace("|", "\\|")
            lines.append(f"| `{row['Name']}` | {error} | {row['Occurrences']} |")
    lines += [
        "",
        "The login POST costs one Argon2id hash (about 86 ms of CPU on this machine) and happens once per",
        "simulated user. Report verification by code is rate-limited per address (60 an hour),",
        "and every simulated user comes from 127.0.0.1, so a run makes only a few lookups.",
        "",
    ]
    Path(args.out).write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
