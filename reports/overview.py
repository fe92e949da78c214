"""The portfolio overview page: are our key results moving, and is our work serving them?

Outcomes first (objectives and key results against time, with trend and confidence), then what
changed since the last report, how much of the active work serves an outcome, and the findings
worth a leader's attention. Epics appear only on the pages below, as the work behind an outcome.
"""

from __future__ import annotations

from collections import Counter

from reports import page_parts as parts
from reports import storage as s
from reports.context import ReportContext
from reports.pages import (
    OVERVIEW,
    Page,
    approvals_title,
    history_title,
    overview_title,
    unaligned_title,
)
from reports.storage import Markup
from reports.text import (
    elapsed_sentence,
    findings_count_words,
    kr_progress_line,
    pct,
    plural,
    points,
)
from reports.trends import changes
from rules.model import PaceStatus
from rules.results import AlignmentShare, ObjectiveProgress

TOP_FINDINGS = 10
TOP_CHANGES = 10


def overview_page(ctx: ReportContext) -> Page:
    body = s.join(
        [
            _intro(ctx),
            _at_a_glance(ctx),
            parts.status_legend(ctx),
            s.toc(),
            s.heading(2, "Portfolio objectives"),
            _objectives_table(ctx),
            s.heading(2, "Key results"),
            _kr_table(ctx),
            s.heading(2, "What is new"),
            _whats_new(ctx),
            s.heading(2, "Alignment of active work"),
            _alignment(ctx),
            s.heading(2, "Top findings"),
            _findings(ctx),
            s.heading(2, "More pages"),
            _more_pages(ctx),
        ]
    )
    return Page(OVERVIEW, overview_title(ctx.portfolio_name), None, body)


def _intro(ctx: ReportContext) -> Markup:
    ev = ctx.evaluation
    cycle = ev.cycle
    return s.join(
        [
            s.p(
                s.strong(f"Cycle {cycle.id}"),
                f" ({cycle.start.isoformat()} to {cycle.end.isoformat()}), as of "
                f"{ev.as_of.isoformat()}.",
                s.br(),
                elapsed_sentence(cycle, ev.as_of) + ".",
            ),
            s.p(
                "Each objective and key result is scored against time: its score beside the share "
                "of the cycle that has passed (expected). The work behind an outcome — epics, "
                "child issues, story points — is shown on each objective's page, beside it, never "
                "instead of it."
            ),
        ]
    )


def _at_a_glance(ctx: ReportContext) -> Markup:
    objectives = ctx.evaluation.portfolio_objectives()
    by_status = Counter(op.status for op in objectives)
    status_words = ", ".join(f"{by_status[p]} {p.value}" for p in PaceStatus if by_status.get(p))
    total = _total(ctx)
    share = (
        f"{pct(total.aligned_share)} of the active epics ({total.aligned} of {total.total}) serve "
        "an outcome."
        if total is not None and total.total
        else "No active epics."
    )
    found = findings_count_words(Counter(f.severity for f in ctx.evaluation.findings))
    lines = [
        s.p(
            s.strong(plural(len(objectives), "portfolio objective")),
            f": {status_words}." if status_words else ".",
            s.br(),
            share,
            s.br(),
            f"Findings: {found}.",
        )
    ]
    return s.panel("info", s.join(lines), title="At a glance")


def _objectives_table(ctx: ReportContext) -> Markup:
    objectives = ctx.evaluation.portfolio_objectives()
    if not objectives:
        return s.p("No portfolio objectives for this cycle.")
    headers = [
        "Objective",
        "Owner",
        "Score",
        "Expected",
        "Status",
        parts.trend_header(ctx),
        "Confidence",
        "Supported by",
    ]
    rows = [
        [
            parts.objective_link(ctx, op),
            op.objective.owner or "—",
            ctx.score_text(op),
            pct(op.expected),
            s.lozenge(op.status),
            parts.trend(ctx.trend(op.objective.id)),
            parts.confidence(ctx.objective_confidence(op)),
            _supported_by(ctx, op),
        ]
        for op in objectives
    ]
    return s.table(headers, rows)


def _supported_by(ctx: ReportContext, op: ObjectiveProgress) -> Markup:
    if not op.supported_by:
        return s.render("No team objective yet")
    items = []
    for team_obj_id in op.supported_by:
        team_op = ctx.objectives.get(team_obj_id)
        if team_op is None:
            items.append(s.render(team_obj_id))
            continue
        team = ctx.team_name(team_op.objective.team)
        score = pct(team_op.score) if team_op.score is not None else "no key results"
        items.append(s.render(f"{team_obj_id} ({team}, {score})"))
    return s.join(items, s.br())


def _kr_table(ctx: ReportContext) -> Markup:
    rows = []
    for op in ctx.evaluation.portfolio_objectives():
        for krp in op.key_results:
            kr = krp.key_result
            checkin = ctx.last_checkin(kr)
            rows.append(
                [
                    s.join([s.strong(kr.id), " ", kr.title]),
                    kr_progress_line(kr),
                    pct(krp.score),
                    pct(krp.expected),
                    s.lozenge(krp.status),
                    parts.trend(ctx.trend(kr.id)),
                    parts.confidence(ctx.kr_confidence(kr)),
                    checkin.on.isoformat() if checkin else "None yet",
                ]
            )
    if not rows:
        return s.p("No key results for this cycle yet.")
    headers = [
        "Key result",
        "Start → current → target",
        "Score",
        "Expected",
        "Status",
        parts.trend_header(ctx),
        "Confidence",
        "Last check-in",
    ]
    return s.table(headers, rows)


def _whats_new(ctx: ReportContext) -> Markup:
    if ctx.previous is None:
        return s.p(
            "This is the first report of the cycle: from the next report day on, this section "
            "lists what moved since the one before."
        )
    delta = changes(ctx.previous, ctx.evaluation)
    blocks: list[Markup] = [s.p(f"Since the report of {delta.since.isoformat()}:")]
    moves = sorted(delta.moves, key=lambda m: (not m.status_changed, -abs(m.delta)))
    if moves:
        items = [_move_line(ctx, m.id, m.before.status, m.after.status, m.delta) for m in moves]
        blocks.append(s.bullet_list(items[:TOP_CHANGES]))
        if len(items) > TOP_CHANGES:
            blocks.append(s.p(s.em(f"and {plural(len(items) - TOP_CHANGES, 'more move')}.")))
    else:
        blocks.append(s.p("No objective or key result moved."))
    before, after = delta.aligned_share
    if before is not None and after is not None and round(before, 2) != round(after, 2):
        blocks.append(
            s.p(f"Share of active epics that serve an outcome: {pct(before)} → {pct(after)}.")
        )
    new = [f for f in ctx.evaluation.findings if (f.code, f.subject) in set(delta.new_findings)]
    if new:
        blocks += [
            s.p(s.strong(f"New findings ({len(new)})")),
            parts.findings_table(ctx, new, limit=TOP_CHANGES),
        ]
    else:
        blocks.append(s.p("No new findings."))
    if delta.resolved_findings:
        resolved = [f"{code} — {ctx.okr_label(subj)}" for code, subj in delta.resolved_findings]
        blocks += [
            s.p(s.strong(f"Resolved findings ({len(resolved)})")),
            s.bullet_list(resolved[:TOP_CHANGES]),
        ]
    return s.join(blocks)


def _move_line(ctx: ReportContext, okr_id: str, before: str, after: str, delta: float) -> Markup:
    label = ctx.okr_label(okr_id)
    moved = f"{parts.trend(delta)}" if round(delta * 100) else "score unchanged"
    status = f"{before} → {after}" if before != after else f"still {after}"
    return s.join([s.strong(label), f": {moved}; {status}."])


def _total(ctx: ReportContext) -> AlignmentShare | None:
    return next((a for a in ctx.evaluation.alignment if a.team is None), None)


def _alignment(ctx: ReportContext) -> Markup:
    shares = ctx.evaluation.alignment
    if not shares:
        return s.p("No active epics in this portfolio.")
    headers = [
        "Team",
        "Aligned epics",
        "Not tied to an outcome",
        "Exempt",
        "Aligned share",
        "Points aligned",
        "Points not tied",
        "Points exempt",
    ]
    link = s.page_link(unaligned_title(ctx.portfolio_name))
    unaligned = len(ctx.evaluation.unaligned())
    where = (
        s.p(f"{plural(unaligned, 'active epic')} not tied to an outcome: see ", link, ".")
        if unaligned
        else s.p("Every active epic is tied to an outcome or exempt. Details: ", link, ".")
    )
    return s.join([s.table(headers, [_alignment_row(ctx, a) for a in shares]), where])


def _alignment_row(ctx: ReportContext, a: AlignmentShare) -> list[s.Node]:
    name = s.strong("Portfolio total") if a.team is None else parts.team_link(ctx, a.team or None)
    return [
        name,
        str(a.aligned),
        str(a.unaligned),
        str(a.exempt),
        pct(a.aligned_share),
        points(a.aligned_points),
        points(a.unaligned_points),
        points(a.exempt_points),
    ]


def _findings(ctx: ReportContext) -> Markup:
    findings = ctx.evaluation.findings
    counts = Counter((f.severity, f.code) for f in findings)
    ordered = sorted(counts.items(), key=lambda item: (-item[0][0].rank, item[0][1]))
    rows = [[parts.severity(sev), s.code(code), str(n)] for (sev, code), n in ordered]
    summary = s.expand(
        f"All findings by kind ({len(findings)})",
        s.table(["Severity", "Finding", "Count"], rows) if rows else s.p("No findings."),
    )
    return s.join([parts.findings_table(ctx, findings, limit=TOP_FINDINGS), summary])


def _more_pages(ctx: ReportContext) -> Markup:
    name = ctx.portfolio_name
    objectives = [parts.objective_link(ctx, op) for op in ctx.evaluation.portfolio_objectives()]
    teams = [parts.team_link(ctx, t.id) for t in ctx.catalogue.teams]
    items: list[s.Node] = [
        s.join(["Objectives: ", s.join(objectives, " · ") if objectives else "none"]),
        s.join(["Teams: ", s.join(teams, " · ") if teams else "none"]),
        s.page_link(unaligned_title(name), "Work not tied to an outcome"),
        s.page_link(approvals_title(name), "Awaiting approval"),
        s.page_link(history_title(name), "History: scores over time"),
    ]
    return s.bullet_list(items)
