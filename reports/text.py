"""Plain-text formatting shared by every renderer: numbers, percentages, statuses, dates.

Everything here returns unescaped text; the storage and Excel writers escape or guard it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date

from rules.model import Cycle, KeyResult, KrKind, PaceStatus, Severity, StatusCategory

# Characters that XML 1.0 forbids (and openpyxl refuses): C0 controls except tab, newline and
# carriage return, lone surrogates and the two non-characters U+FFFE and U+FFFF.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

STATUS_TITLE = {
    PaceStatus.ON_TRACK: "ON TRACK",
    PaceStatus.AT_RISK: "AT RISK",
    PaceStatus.OFF_TRACK: "OFF TRACK",
    PaceStatus.TOO_EARLY: "TOO EARLY",
    PaceStatus.NO_KEY_RESULTS: "NO KEY RESULTS",
}

# Confluence's status-lozenge colours.
STATUS_COLOUR = {
    PaceStatus.ON_TRACK: "Green",
    PaceStatus.AT_RISK: "Yellow",
    PaceStatus.OFF_TRACK: "Red",
    PaceStatus.TOO_EARLY: "Grey",
    PaceStatus.NO_KEY_RESULTS: "Grey",
}

# A finding's severity as a leader reads it (pages, preview, workbook); the operators' terminal and
# JSON keep error / warning / info. (singular, plural): "1 needs fixing", "2 need fixing".
SEVERITY_WORDS = {
    Severity.ERROR: ("needs fixing", "need fixing"),
    Severity.WARNING: ("worth a look", "worth a look"),
    Severity.INFO: ("for information", "for information"),
}


def severity_word(severity: Severity) -> str:
    return SEVERITY_WORDS[severity][0]


def findings_count_words(counts: Mapping[Severity, int]) -> str:
    """E.g. "2 need fixing, 32 worth a look, 19 for information", worst first; "none"."""
    worst_first = sorted((s for s, n in counts.items() if n), key=lambda s: -s.rank)
    return (
        ", ".join(
            f"{counts[s]} {SEVERITY_WORDS[s][0] if counts[s] == 1 else SEVERITY_WORDS[s][1]}"
            for s in worst_first
        )
        or "none"
    )


# Jira shows status categories by these names, not by their keys.
CATEGORY_LABEL = {
    StatusCategory.NEW: "To Do",
    StatusCategory.IN_PROGRESS: "In Progress",
    StatusCategory.DONE: "Done",
}


def clean(value: str | None) -> str:
    """Drop characters that would make XHTML malformed or an xlsx cell raise."""
    return _ILLEGAL.sub("", value or "")


def pct(share: float) -> str:
    """0.6 -> "60%"; rounds half up so 0.125 is always "13%", whatever the float error."""
    return f"{math.floor(share * 100 + 0.5)}%"


def number(value: float | None) -> str:
    """97.20 -> "97.2", 42.0 -> "42", None -> "—"."""
    if value is None:
        return "—"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def points(value: float) -> str:
    return f"{value:,.1f}"


def with_unit(value: float | None, unit: str) -> str:
    if value is None or not unit:
        return number(value)
    # "%" hugs the number; words and symbols such as "s" or "ms" get a space.
    return f"{number(value)}{unit}" if unit == "%" else f"{number(value)} {unit}"


def kr_values(kr: KeyResult) -> tuple[float | None, float | None, float | None]:
    """(start, current, target) of a key result in its own terms.

    Milestone key results count milestones done; boolean ones are 0 or 1.
    """
    if kr.kind is KrKind.MILESTONE:
        return 0.0, float(sum(m.done for m in kr.milestones)), float(len(kr.milestones))
    if kr.kind is KrKind.BOOLEAN:
        return 0.0, 1.0 if kr.done else 0.0, 1.0
    return kr.start, kr.current, kr.target


def kr_unit(kr: KeyResult) -> str:
    if kr.kind is KrKind.MILESTONE:
        return "milestones"
    return "" if kr.kind is KrKind.BOOLEAN else kr.unit


def kr_progress_line(kr: KeyResult) -> str:
    """Start → current → target, the way a reader says it."""
    if kr.kind is KrKind.BOOLEAN:
        return "done" if kr.done else "not done yet"
    if kr.kind is KrKind.MILESTONE:
        done = sum(m.done for m in kr.milestones)
        return f"{done} of {len(kr.milestones)} milestones done"
    return " → ".join(with_unit(v, kr.unit) for v in (kr.start, kr.current, kr.target))


def cycle_days(cycle: Cycle) -> int:
    return (cycle.end - cycle.start).days + 1


def elapsed_sentence(cycle: Cycle, as_of: date) -> str:
    """E.g. "Day 55 of 92 — 60% of the cycle elapsed", or a before/after sentence."""
    days = cycle_days(cycle)
    if as_of < cycle.start:
        return f"The cycle starts on {cycle.start.isoformat()} — 0% elapsed."
    if as_of > cycle.end:
        return f"The cycle ended on {cycle.end.isoformat()} — 100% of the cycle elapsed."
    day = (as_of - cycle.start).days + 1
    return f"Day {day} of {days} — {pct(cycle.elapsed_share(as_of))} of the cycle elapsed"


def pace_legend(on_track: float, at_risk: float, too_early: float) -> str:
    """One line that says what a status means, with the bands the rules used."""
    return (
        "Status compares a score with the share of the cycle gone (expected): on track at "
        f"{pct(on_track)} of that pace or better, at risk from {pct(at_risk)}, off track below; "
        f"too early while less than {pct(too_early)} of the cycle has gone."
    )


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def sentences(parts: list[str]) -> str:
    """Findings' messages or hints as one text: each ends as a sentence ("a. b."), so two are not
    run together as one ("a b")."""
    return " ".join(
        p if p.endswith((".", "!", "?", "…")) else f"{p}." for p in map(str.strip, parts) if p
    )
