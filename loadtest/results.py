"""The load test's figures: p50 and p95 per kind of request beside /healthz's, the errors, and
each page's p95 as a multiple of /healthz's. Pure functions of the samples the simulated users
recorded (locustfile.py), so they can be tested without a server."""

import math

HEALTHZ = "healthz"
# The pages issue 12 holds to 3 times /healthz's p95 under the same load.
NAMED = ("audit form GET", "autosave POST", "audit list")
LIMIT = 3.0


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile: the smallest value with at least q% of values at or below."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def summarise(samples: dict[str, list[float]]) -> list[dict]:
    """One row per kind of request (/healthz first): count, p50, p95 and p95 / /healthz's p95."""
    base = percentile(samples[HEALTHZ], 95) if samples.get(HEALTHZ) else None
    rows = []
    for name in sorted(samples, key=lambda n: (n != HEALTHZ, n)):
        values = samples[name]
        if not values:
            continue
        p95 = percentile(values, 95)
        rows.append(
            {
                "name": name,
                "count": len(values),
                "p50": percentile(values, 50),
                "p95": p95,
                "ratio": p95 / base if base else None,
            }
        )
    return rows


def verdicts(rows: list[dict]) -> list[str]:
    """For each named page, whether its p95 is within LIMIT times /healthz's."""
    by_name = {row["name"]: row for row in rows}
    lines = []
    for name in NAMED:
        row = by_name.get(name)
        if row is None or row["ratio"] is None:
            lines.append(f"{name}: not measured")
            continue
        within = "within" if row["ratio"] <= LIMIT else "OVER"
        lines.append(f"{name}: p95 {row['ratio']:.1f}x /healthz's, {within} {LIMIT:g}x")
    return lines


def table(rows: list[dict]) -> str:
    lines = [f"{'request':<24} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p95/healthz':>12}"]
    for row in rows:
        ratio = f"{row['ratio']:.1f}" if row["ratio"] is not None else "-"
        lines.append(
            f"{row['name']:<24} {row['count']:>6} {row['p50']:>8.1f} {row['p95']:>8.1f} {ratio:>12}"
        )
    return "\n".join(lines)


def report(result: dict) -> tuple[str, bool]:
    """The text to print for one run's ``result`` (locustfile.py writes it), and whether the
    run was clean: no error, every simulated user signed in, and something measured."""
    rows = summarise(result["samples"])
    errors = result["errors"]
    lines = [table(rows), "", *verdicts(rows), "", f"errors: {len(errors)}"]
    shown = {}
    for error in errors:
        key = f"{error['name']}: {error['message']}"
        shown[key] = shown.get(key, 0) + 1
    lines += [f"  {count} x {key}" for key, count in sorted(shown.items())[:20]]
    problems = []
    if result.get("signed_in", 0) < result.get("users", 0):
        problems.append(f"only {result['signed_in']} of {result['users']} users signed in")
    if not result["samples"].get(HEALTHZ):
        problems.append("nothing was measured")
    lines += problems
    return "\n".join(lines), not errors and not problems
