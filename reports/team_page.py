"""One page per team: its objectives, how much of its active work serves an outcome, its epics.

Written for the team's lead as much as for leaders: the epics that are not tied to an outcome say
why and how to tie them, and the claims still waiting for a leader's decision are marked.
"""

from __future__ import annotations

from collections.abc import Sequence

from reports import page_parts as parts
from reports import storage as s
from reports.context import ReportContext
from reports.forecast_parts import forecast_table
from reports.pages import OVERVIEW, Page, overview_title, team_key
from reports.storage import Markup
from reports.text import kr_progress_line, pct, plural, points, sentences
from rules.model import AlignmentState, ApprovalState
from rules.results import AlignmentShare, EpicAlignment, ObjectiveProgress


def team_pages(ctx: ReportContext) -> list[Page]:
    return [_page(ctx, team.id) for team in ctx.catalogue.teams]


def _page(ctx: ReportContext, team: str) -> Page:
    objectives = [op for op in ctx.evaluation.team_objectives() if op.objective.team == team]
    epics = ctx.team_epics(team)
    share = next((a for a in ctx.evaluation.alignment if a.team == team), None)
    body = s.join(
        [
            _summary(ctx, team, objectives, share),
            parts.status_legend(ctx),
            s.toc(),
            s.heading(2, "Our objectives"),
            _objectives(ctx, objectives),
            *_forecasts(ctx, objectives),
            s.heading(2, "Alignment of our active work"),
            _alignment(share),
            s.heading(2, "Epics"),
            *_epics(ctx, epics),
            s.heading(2, "Findings"),
            parts.findings_table(ctx, ctx.team_findings(team), mentions=True),
            s.p("Back to ", s.page_link(overview_title(ctx.portfolio_name)), "."),
        ]
    )
    return Page(team_key(team), parts.team_page_title(ctx, team), OVERVIEW, body)


def _forecasts(ctx: ReportContext, objectives: list[ObjectiveProgress]) -> list[Markup]:
    """Each objective's key results forecast at the cycle's end, beside the team's own."""
    with_krs = [op for op in objectives if op.key_results]
    if not with_krs:
        return []
    blocks = [s.heading(2, "Forecast at the cycle's end")]
    for op in with_krs:
        blocks += [s.heading(3, f"{op.objective.id} {op.objective.title}"), forecast_table(ctx, op)]
    return blocks


def _summary(
    ctx: ReportContext,
    team: str,
    objectives: list[ObjectiveProgress],
    share: AlignmentShare | None,
) -> Markup:
    work = (
        f"{plural(share.total, 'active epic')}: {share.aligned} serve an outcome, "
        f"{share.unaligned} not tied to one, {share.exempt} exempt "
        f"({pct(share.aligned_share)} aligned)."
        if share is not None and share.total
        else "No active epics."
    )
    findings = ctx.team_findings(team)
    return s.panel(
        "info",
        s.p(
            s.strong(ctx.team_name(team)),
            f": {plural(len(objectives), 'team objective')} this cycle. ",
            work,
            s.br(),
            f"{plural(len(findings), 'finding')}.",
        ),
        title="At a glance",
    )


def _objectives(ctx: ReportContext, objectives: list[ObjectiveProgress]) -> Markup:
    if not objectives:
        return s.panel(
            "note",
            s.p(
                "This team has no objectives for this cycle yet. A team objective names the "
                "portfolio objective or key result it supports."
            ),
        )
    headers = [
        "Objective",
        "Supports",
        "Score",
        "Expected",
        "Status",
        parts.trend_header(ctx),
        "Confidence",
    ]
    rows = [
        [
            s.join([s.strong(op.objective.id), " ", op.objective.title]),
            _supports(ctx, op),
            ctx.score_text(op),
            pct(op.expected),
            s.lozenge(op.status),
            parts.trend(ctx.trend(op.objective.id)),
            parts.confidence(ctx.objective_confidence(op)),
        ]
        for op in objectives
    ]
    kr_rows = [
        [
            s.join([s.strong(k.key_result.id), " ", k.key_result.title]),
            kr_progress_line(k.key_result),
            pct(k.score),
            s.lozenge(k.status),
            parts.confidence(ctx.kr_confidence(k.key_result)),
            (c.on.isoformat() if (c := ctx.last_checkin(k.key_result)) else "None yet"),
        ]
        for op in objectives
        for k in op.key_results
    ]
    kr_headers = [
        "Key result",
        "Start → current → target",
        "Score",
        "Status",
        "Confidence",
        "Last check-in",
    ]
    return s.join(
        [
            s.table(headers, rows),
            s.heading(3, "Our key results"),
            s.table(kr_headers, kr_rows) if kr_rows else s.p("No key results yet."),
        ]
    )


def _supports(ctx: ReportContext, op: ObjectiveProgress) -> Markup:
    if not op.objective.supports:
        return s.render("Nothing yet")
    states = {c.okr_id.upper(): c.state for c in op.connections}
    declared = op.objective.approval.state if op.objective.approval else None
    items = [
        s.join([ctx.okr_label(ref), " ", parts.approval(states.get(ref.upper(), declared))])
        for ref in op.objective.supports
    ]
    return s.join(items, s.br())


def _alignment(share: AlignmentShare | None) -> Markup:
    if share is None or not share.total:
        return s.p("No active epics.")
    total_points = share.aligned_points + share.unaligned_points + share.exempt_points
    rows = [
        [
            label,
            str(n),
            pct(n / share.total),
            points(pts),
            pct(pts / total_points) if total_points else "—",
        ]
        for label, n, pts in (
            ("Serve an outcome", share.aligned, share.aligned_points),
            ("Not tied to an outcome", share.unaligned, share.unaligned_points),
            ("Exempt (keep the lights on)", share.exempt, share.exempt_points),
        )
    ]
    return s.table(["Active epics", "Epics", "Share", "Story points", "Share of points"], rows)


def _epics(ctx: ReportContext, epics: tuple[EpicAlignment, ...]) -> list[Markup]:
    if not epics:
        return [s.p("No epics in scope for this team.")]
    active = [e for e in epics if e.epic.active]
    aligned = [e for e in active if e.state is AlignmentState.ALIGNED]
    unaligned = [e for e in active if e.state is AlignmentState.UNALIGNED]
    exempt = [e for e in active if e.state is AlignmentState.EXEMPT]
    done = [e for e in epics if not e.epic.active]
    blocks = [s.heading(3, f"Serving an outcome ({len(aligned)})")]
    blocks.append(parts.capped_epics(ctx, aligned, _aligned_table) if aligned else s.p("None."))
    blocks.append(s.heading(3, f"Not tied to an outcome ({len(unaligned)})"))
    blocks.append(
        parts.capped_epics(ctx, unaligned, _unaligned_table)
        if unaligned
        else s.p("None: well done.")
    )
    blocks.append(s.heading(3, f"Exempt ({len(exempt)})"))
    blocks.append(parts.capped_epics(ctx, exempt) if exempt else s.p("None."))
    if done:
        blocks.append(s.expand(f"Done epics ({len(done)})", parts.capped_epics(ctx, done)))
    return blocks


def _aligned_table(ctx: ReportContext, epics: Sequence[EpicAlignment]) -> Markup:
    headers = [
        "Epic",
        "Summary",
        "Status",
        "Serves",
        "Approval",
        "Child issues done",
        "Points done",
    ]
    rows = []
    for ea in epics:
        e = ea.epic
        valid = {v.upper() for v in ea.valid_okr_ids}
        claims = [c for c in ea.claims if c.okr_id.upper() in valid]
        states = {c.state for c in claims}
        state = (
            ApprovalState.PROPOSED
            if ApprovalState.PROPOSED in states
            else ApprovalState.APPROVED
            if states == {ApprovalState.APPROVED}
            else None
        )
        rows.append(
            [
                parts.issue(ctx, e.key),
                e.summary,
                e.status,
                s.join([ctx.okr_label(i) for i in ea.valid_okr_ids], s.br()),
                parts.approval(state) if claims else "—",
                f"{e.children.done}/{e.children.total}",
                f"{points(e.children.points_done)}/{points(e.children.points_total)}",
            ]
        )
    return s.table(headers, rows)


def _unaligned_table(ctx: ReportContext, epics: Sequence[EpicAlignment]) -> Markup:
    rows = []
    for ea in epics:
        reasons, hints = ctx.why_unaligned(ea.epic.key)
        why = s.join([s.join(reasons, s.br()), s.br(), s.em(sentences(hints))])
        rows.append([parts.issue(ctx, ea.epic.key), ea.epic.summary, ea.epic.status, why])
    return s.table(["Epic", "Summary", "Status", "Why, and how to tie it"], rows)
