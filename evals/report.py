"""report.html: the page a QA lead reads in a minute, rendered from summary.json alone.

Pass rate and the headline numbers first, then the failures with their
reasons, the latency distribution (an inline SVG: the page loads nothing),
each scenario's pass rate over its attempts, and every turn on demand.
"""

import json
import sys
from html import escape
from pathlib import Path
from statistics import median
from typing import Any

BIN_MS = 250
CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d232a}
h1{font-size:1.5rem;margin:0 0 .2rem}h2{font-size:1.15rem;margin:2rem 0 .6rem}
.muted{color:#5d6975}.cards{display:flex;gap:1rem;flex-wrap:wrap;margin:1.2rem 0}
.card{border:1px solid #d5dbe1;border-radius:8px;padding:.7rem 1rem;min-width:10rem}
.card b{display:block;font-size:1.6rem}.pass{color:#1a7f37}.fail{color:#c62828}.skip{color:#8a6d00}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{border-bottom:1px solid #e3e7eb;
padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#f5f7f9}
details{margin:.3rem 0}summary{cursor:pointer}code{font-size:13px}
ul.notes li{margin:.2rem 0}
"""


def render(summary: dict[str, Any]) -> str:
    """The report page for one suite run."""
    parts = [
        "<!doctype html><html lang=en><meta charset=utf-8>",
        f"<title>Evals {escape(str(summary.get('started_at', '')))}</title><style>{CSS}</style>",
        "<h1>Voice agent evals</h1>",
        f"<div class=muted>{escape(_run_line(summary))}</div>",
        _cards(summary),
        _notes(summary),
        "<h2>Failures</h2>",
        _failures(summary),
        "<h2>Latency: end of caller speech to first bot audio</h2>",
        _latency(summary),
        "<h2>Scenarios</h2>",
        _scenarios(summary),
        "<h2>Turns</h2>",
        _turns(summary),
        "</html>",
    ]
    return "\n".join(p for p in parts if p)


def _run_line(summary: dict[str, Any]) -> str:
    bot = summary.get("bot") or {}
    stack = " / ".join(str(bot.get(k, "?")) for k in ("stt", "llm", "tts"))
    return (
        f"{summary.get('started_at', '')} · {summary.get('modality', '?')} modality · "
        f"bot {stack} · judge {summary.get('judge', 'none')} · repeat {summary.get('repeat', 1)} · "
        f"{summary.get('duration_s', 0):.0f} s"
    )


def _cards(summary: dict[str, Any]) -> str:
    scenarios, runs = summary["scenarios"], summary["runs"]
    total, passed = scenarios["total"], scenarios["passed"]
    rate = f"{passed / total:.0%}" if total else "n/a"
    tone = "pass" if total and passed == total else "fail"
    latency = summary["latency_ms"]
    wer = summary.get("wer")
    cards = [
        (f"<b class={tone}>{rate}</b>{passed}/{total} scenarios passed"),
        (f"<b>{runs['passed']}/{runs['total']}</b>runs passed"),
        (f"<b>{_ms(latency['p50'])}</b>p50 latency ({latency['turns']} turns)"),
        (f"<b>{_ms(latency['p95'])}</b>p95 latency"),
        (f"<b>{'n/a' if wer is None else f'{wer:.1%}'}</b>caller WER"),
    ]
    if summary.get("flaky"):
        cards.append(f"<b class=fail>{len(summary['flaky'])}</b>flaky scenarios")
    if scenarios.get("skipped"):
        cards.append(f"<b class=skip>{scenarios['skipped']}</b>scenarios skipped")
    return "<div class=cards>" + "".join(f"<div class=card>{c}</div>" for c in cards) + "</div>"


def _ms(value: int | None) -> str:
    return "n/a" if value is None else f"{value} ms"


def _notes(summary: dict[str, Any]) -> str:
    notes = summary.get("notes") or []
    if not notes:
        return ""
    return "<ul class=notes>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>"


def _attempts(summary: dict[str, Any]):
    for result in summary["results"]:
        for attempt in result.get("attempts", []):
            yield result, attempt


def _failures(summary: dict[str, Any]) -> str:
    rows = []
    for result, attempt in _attempts(summary):
        if attempt["passed"]:
            continue
        turns = {t["index"]: t for t in attempt["turns"]}
        failures = attempt["failures"] or [{"turn": None, "event": "", "kind": "error"}]
        for failure in failures:
            turn = turns.get(failure.get("turn"), {})
            reason = failure.get("reason") or attempt.get("error") or ""
            rows.append(
                _row(
                    [
                        result["scenario"],
                        attempt["attempt"],
                        "" if failure.get("turn") is None else failure["turn"],
                        turn.get("user") or "",
                        failure.get("event", ""),
                        failure.get("kind", ""),
                        reason,
                        _log_link(attempt),
                    ],
                    raw={7},
                )
            )
    if not rows:
        return "<p class=pass>No failures.</p>"
    head = ["Scenario", "Attempt", "Turn", "Caller said", "Expected", "Kind", "Reason", "Log"]
    return _table(head, rows)


def _log_link(attempt: dict[str, Any]) -> str:
    logs = attempt.get("logs") or {}
    links = [
        f"<a href='{escape(path, quote=True)}'>{escape(name)}</a>" for name, path in logs.items()
    ]
    return " ".join(links)


def _latency(summary: dict[str, Any]) -> str:
    values = [
        t["latency_ms"]
        for _, attempt in _attempts(summary)
        for t in attempt["turns"]
        if t["latency_ms"] is not None and not t["talks_over_bot"]
    ]
    if not values:
        return "<p class=muted>No spoken turns were measured (text modality has no audio).</p>"
    return histogram_svg(values, summary["latency_ms"]["p50"], summary["latency_ms"]["p95"])


def histogram_svg(values: list[int], p50: int | None, p95: int | None) -> str:
    """Turn latencies in 250 ms bins, with the p50 and p95 marked."""
    width, height, left, bottom, top = 720, 250, 40, 34, 26
    bins = max(values) // BIN_MS + 1
    counts = [0] * bins
    for value in values:
        counts[value // BIN_MS] += 1
    tallest = max(counts)
    bar = (width - left - 10) / bins
    scale = (height - bottom - top) / tallest

    def x(ms: float) -> float:
        return left + ms / BIN_MS * bar

    shapes = [
        f"<line x1={left} y1={height - bottom} x2={width - 10} y2={height - bottom} stroke='#888'/>"
    ]
    for i, count in enumerate(counts):
        if count:
            h = count * scale
            shapes.append(
                f"<rect x='{x(i * BIN_MS) + 1:.1f}' y='{height - bottom - h:.1f}' "
                f"width='{bar - 2:.1f}' height='{h:.1f}' fill='#4a7bd0'>"
                f"<title>{i * BIN_MS}-{(i + 1) * BIN_MS} ms: {count} turns</title></rect>"
            )
    step = max(1, bins // 8)
    for i in range(0, bins + 1, step):
        shapes.append(
            f"<text x='{x(i * BIN_MS):.1f}' y='{height - bottom + 16}' font-size='11' "
            f"text-anchor='middle' fill='#555'>{i * BIN_MS / 1000:g}s</text>"
        )
    # Above the bars: p50's label left of its line, p95's right of its own, so neither covers.
    marks = (("p50", p50, "#1a7f37", "end", -3), ("p95", p95, "#c62828", "start", 3))
    for label, value, colour, anchor, shift in marks:
        if value is not None:
            shapes.append(
                f"<line x1='{x(value):.1f}' y1='{top - 4}' x2='{x(value):.1f}' "
                f"y2='{height - bottom}' stroke='{colour}' stroke-dasharray='4 3'/>"
                f"<text x='{x(value) + shift:.1f}' y='{top - 8}' font-size='11' "
                f"text-anchor='{anchor}' fill='{colour}'>{label} {value} ms</text>"
            )
    shapes.append(
        f"<text x='4' y='{top + 4}' font-size='11' fill='#555'>{tallest}</text>"
        f"<text x='4' y='{height - bottom}' font-size='11' fill='#555'>0</text>"
    )
    return (
        f"<svg width='{width}' height='{height}' "
        f"role='img' aria-label='latency histogram of {len(values)} turns'>"
        + "".join(shapes)
        + "</svg>"
        + f"<div class=muted>{len(values)} turns; bins of {BIN_MS} ms.</div>"
    )


def _scenarios(summary: dict[str, Any]) -> str:
    rows = []
    for result in summary["results"]:
        if "skipped" in result:
            cells = [result["scenario"], "", "<span class=skip>skipped</span>", "", "", ""]
            rows.append(_row(cells, raw={2}, extra=[result["skipped"]]))
            continue
        attempts = result["attempts"]
        passed = sum(a["passed"] for a in attempts)
        tone = "pass" if passed == len(attempts) else "fail"
        latencies = [
            t["latency_ms"]
            for a in attempts
            for t in a["turns"]
            if t["latency_ms"] is not None and not t["talks_over_bot"]
        ]
        rows.append(
            _row(
                [
                    result["scenario"],
                    result["bot"],
                    f"<span class={tone}>{passed}/{len(attempts)}</span>",
                    f"{median(a['duration_ms'] or 0 for a in attempts) / 1000:.1f} s",
                    _ms(max(latencies)) if latencies else "n/a",
                    len(attempts[0]["turns"]),
                ],
                raw={2},
                extra=[""],
            )
        )
    head = ["Scenario", "Bot", "Passed", "Duration", "Slowest turn", "Turns", "Note"]
    return _table(head, rows)


def _turns(summary: dict[str, Any]) -> str:
    blocks = []
    for result, attempt in _attempts(summary):
        tone = "pass" if attempt["passed"] else "fail"
        title = (
            f"<span class={tone}>{'PASS' if attempt['passed'] else 'FAIL'}</span> "
            f"{escape(result['scenario'])} #{attempt['attempt']}"
        )
        rows = []
        for turn in attempt["turns"]:
            failure = turn["failed_expectation"]
            outcome = turn["status"] + (
                f": {failure['event']} ({failure['kind']}) {failure['reason']}" if failure else ""
            )
            heard = turn["heard"]
            if heard is not None and turn["wer"] is not None:
                heard = f"{heard} (WER {turn['wer']:.0%})"
            rows.append(
                _row(
                    [
                        turn["index"],
                        (turn["user"] or "(listens)")
                        + (" [over the bot]" if turn["talks_over_bot"] else ""),
                        heard or "",
                        turn["reply"],
                        ", ".join(c for c in turn["calls"] if c),
                        _ms(turn["latency_ms"]),
                        outcome,
                    ]
                )
            )
        head = ["#", "Caller said", "Bot heard", "Bot replied", "Calls", "Latency", "Outcome"]
        blocks.append(
            f"<details><summary>{title} {_log_link(attempt)}</summary>{_table(head, rows)}</details>"
        )
    return "\n".join(blocks)


def _row(cells: list[Any], raw: set[int] = frozenset(), extra: list[Any] = ()) -> str:
    out = []
    for i, cell in enumerate([*cells, *extra]):
        text = str(cell)
        out.append(f"<td>{text if i in raw else escape(text)}</td>")
    return "<tr>" + "".join(out) + "</tr>"


def _table(head: list[str], rows: list[str]) -> str:
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    return f"<table><tr>{header}</tr>{''.join(rows)}</table>"


def main() -> None:
    """Re-render a report from its summary: python -m evals.report evals/reports/latest."""
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "evals/reports/latest")
    summary = json.loads((folder / "summary.json").read_text())
    (folder / "report.html").write_text(render(summary))
    print(folder / "report.html")


if __name__ == "__main__":
    main()
