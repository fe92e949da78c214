"""Pieces several Confluence pages share: links, lozenges, trend words, findings, epics, charts.

Each returns storage-format `Markup` built through `reports.storage`, so every string from Jira or
the catalogue is escaped on the way in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from reports import storage as s
from reports.context import ReportContext
from reports.owners import MENTION_CODES, account_id, mention
from reports.pages import objective_key, objective_title, team_title
from reports.storage import Markup
from reports.text import pace_legend, pct, plural, points, severity_word
from reports.trends import Snapshot
from rules.model import ApprovalState, Finding, Severity
from rules.progress import TOO_EARLY_SHARE
from rules.results import EpicAlignment, ObjectiveProgress

SEVERITY_COLOUR = {Severity.ERROR: "Red", Severity.WARNING: "Yellow", Severity.INFO: "Blue"}
APPROVAL_COLOUR = {
    ApprovalState.APPROVED: "Green",
    ApprovalState.PROPOSED: "Yellow",
    ApprovalState.REJECTED: "Red",
}
FINDING_HEADERS = ["Severity", "Finding", "About", "What we see", "What helps"]


def issue(ctx: ReportContext, key: str) -> Markup:
    """A Jira issue: the issue macro when a Jira server id is configured, else a plain link."""
    if ctx.jira_server_id:
        return s.jira_macro(ctx.jira_server_id, key)
    return s.jira_link(ctx.jira_url, key)


def severity(sev: Severity) -> Markup:
    """A finding's severity in a leader's words ("needs fixing"), not the operators' "error"."""
    return s.status(severity_word(sev).upper(), SEVERITY_COLOUR[sev])


def status_legend(ctx: ReportContext) -> Markup:
    """What ON TRACK / AT RISK / OFF TRACK mean, with the bands of these settings."""
    bands = ctx.bands
    return s.p(s.em(pace_legend(bands.on_track, bands.at_risk, TOO_EARLY_SHARE)))


def approval(state: ApprovalState | None) -> Markup:
    if state is None:
        return s.status("NOT NEEDED", "Grey")
    return s.status(state.value.upper(), APPROVAL_COLOUR[state])


def trend(delta: float | None) -> str:
    """A score change in percentage points, e.g. "▲ +6 pts"; "—" with nothing to compare."""
    if delta is None:
        return "—"
    pts = round(delta * 100)
    if pts > 0:
        return f"▲ +{pts} pts"
    if pts < 0:
        return f"▼ −{-pts} pts"
    return "► no change"


def trend_header(ctx: ReportContext) -> str:
    since = ctx.previous.as_of.isoformat() if ctx.previous else None
    return f"Trend since {since}" if since else "Trend"


def confidence(value: float | None) -> str:
    return "—" if value is None else pct(value)


def objective_link(ctx: ReportContext, op: ObjectiveProgress) -> Markup:
    """A portfolio objective's page; a team objective has no page of its own, so just its name."""
    o = op.objective
    label = f"{o.id} {o.title}"
    if o.team is not None:
        return s.join([s.strong(o.id), " ", o.title])
    return s.page_link(objective_title(ctx.portfolio_name, o.id, o.title), label)


def objective_page_key(op: ObjectiveProgress) -> str:
    return objective_key(op.objective.id)


def team_page_title(ctx: ReportContext, team: str) -> str:
    """Team names are not promised unique; a clash adds the team id."""
    name = ctx.team_name(team)
    same = [t for t in ctx.catalogue.teams if t.name == name]
    return team_title(ctx.portfolio_name, name if len(same) <= 1 else f"{name} ({team})")


def team_link(ctx: ReportContext, team: str | None) -> Markup:
    if team is None or all(t.id != team for t in ctx.catalogue.teams):
        return s.render(ctx.team_name(team))
    return s.page_link(team_page_title(ctx, team), ctx.team_name(team))


def subject(ctx: ReportContext, text: str) -> Markup:
    """What a finding is about: an epic (linked to Jira), an OKR (with its title), or a team."""
    if text in ctx.epics:
        return issue(ctx, text)
    if any(t.id == text for t in ctx.catalogue.teams):
        return team_link(ctx, text)
    return s.render(ctx.okr_label(text))


T = TypeVar("T")


def capped(
    ctx: ReportContext, items: Sequence[T], limit: int | None = None
) -> tuple[Sequence[T], Markup | None]:
    """The first `limit` (default `ctx.max_rows`) items for a table, and a line that says how many
    there are in all (a page of thousands of rows is slow to open and no one reads it)."""
    limit = ctx.max_rows if limit is None else limit
    if len(items) <= limit:
        return items, None
    note = s.p(
        s.em(
            f"The first {limit:,} of {len(items):,}; the review workbook"
            " (outcomes export) lists them all."
        )
    )
    return items[:limit], note


def findings_table(
    ctx: ReportContext,
    findings: Sequence[Finding],
    *,
    limit: int | None = None,
    mentions: bool = False,
) -> Markup:
    """Worst first (the rules sort them so); `limit` keeps the top ones and says how many more.

    `mentions`: this is the page that owns these key results, so a finding that asks a key
    result's owner to act mentions them when they are an Atlassian account (reports.owners)."""
    if not findings:
        return s.p("No findings.")
    worst_first = sorted(findings, key=lambda f: -f.severity.rank)  # stable within a severity
    if limit is None:
        shown, note = capped(ctx, worst_first)
        return s.join([s.table(FINDING_HEADERS, _finding_rows(ctx, shown, mentions)), note])
    shown = worst_first[:limit]
    more = len(findings) - len(shown)
    tail = s.p(s.em(f"{plural(more, 'more finding')} below, on the team and objective pages."))
    table = s.table(FINDING_HEADERS, _finding_rows(ctx, shown, mentions))
    return s.join([table, tail if more else None])


def _finding_rows(
    ctx: ReportContext, findings: Iterable[Finding], mentions: bool = False
) -> list[list[s.Node]]:
    return [
        [
            severity(f.severity),
            s.code(f.code),
            subject(ctx, f.subject),
            f.message,
            _helps(ctx, f, mentions),
        ]
        for f in findings
    ]


def _helps(ctx: ReportContext, f: Finding, mentions: bool) -> Markup:
    hint = s.render(f.hint or "—")
    kr = ctx.key_results.get(f.subject.upper()) if f.code in MENTION_CODES else None
    owner = kr.key_result.owner if kr is not None else None
    if not mentions or account_id(owner) is None:
        return hint
    return s.join([hint, s.br(), "Owner: ", mention(owner)])


EPIC_HEADERS = [
    "Epic",
    "Summary",
    "Team",
    "Status",
    "Child issues done",
    "Points done",
    "Share done",
]


def epic_table(ctx: ReportContext, epics: Sequence[EpicAlignment]) -> Markup:
    return s.table(EPIC_HEADERS, epic_rows(ctx, epics))


EpicTable = Callable[[ReportContext, Sequence[EpicAlignment]], Markup]


def capped_epics(
    ctx: ReportContext, epics: Sequence[EpicAlignment], table: EpicTable = epic_table
) -> Markup:
    """`table` of the first epics (see `capped`), and the line that says how many there are."""
    shown, note = capped(ctx, epics)
    return s.join([table(ctx, shown), note])


def epic_rows(ctx: ReportContext, epics: Iterable[EpicAlignment]) -> list[list[s.Node]]:
    rows: list[list[s.Node]] = []
    for ea in epics:
        e = ea.epic
        total, done = e.children.points_total, e.children.points_done
        share = (
            done / total
            if total
            else (e.children.done / e.children.total if e.children.total else 0.0)
        )
        rows.append(
            [
                issue(ctx, e.key),
                e.summary,
                team_link(ctx, ea.team),
                e.status,
                f"{e.children.done}/{e.children.total}",
                f"{points(done)}/{points(total)}",
                pct(share),
            ]
        )
    return rows


def score_chart(
    ctx: ReportContext, title: str, series: Sequence[tuple[str, str]], *, objectives: bool
) -> Markup:
    """Scores per report day as a line chart, one line per (id, label); nothing before 2 days."""
    days = ctx.history.series(ctx.evaluation)
    if len(days) < 2 or not series:
        return s.p(s.em("The trend chart appears once reports from two different days are stored."))
    headers = ["Day", *(label for _, label in series), "Expected"]
    rows = [
        [
            day.as_of.isoformat(),
            *(_score(day, okr_id, objectives) for okr_id, _ in series),
            _expected(ctx, day),
        ]
        for day in days
    ]
    return s.chart(title, headers, rows, y_label="Score (%)")


def _score(day: Snapshot, okr_id: str, objectives: bool) -> str:
    point = (day.objectives if objectives else day.key_results).get(okr_id)
    return "" if point is None else str(round(point.score * 100))


def _expected(ctx: ReportContext, day: Snapshot) -> str:
    return str(round(ctx.evaluation.cycle.elapsed_share(day.as_of) * 100))
