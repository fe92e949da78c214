"""The portfolio overview page: outcomes first, the work behind them second."""

from __future__ import annotations

from collections import Counter

from reports import storage as s
from reports.context import ReportContext
from reports.pages import OVERVIEW, Page, overview_title, unaligned_title
from reports.storage import Markup
from reports.text import (
    CATEGORY_LABEL,
    elapsed_sentence,
    kr_progress_line,
    pct,
    plural,
    points,
)
from rules.model import AlignmentShare, KeyResultProgress, ObjectiveProgress, Output


def overview_page(ctx: ReportContext) -> Page:
    body = s.join(
        [
            _intro(ctx),
            s.heading(2, "Portfolio objectives"),
            _portfolio_table(ctx),
            *(_objective_section(ctx, op) for op in ctx.evaluation.portfolio_objectives()),
            s.heading(2, "Team objectives"),
            _team_objectives(ctx),
            s.heading(2, "Alignment of active work"),
            _alignment(ctx),
            s.heading(2, "Findings"),
            _findings(ctx),
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
                "child issues, story points — is shown beside it, never instead of it."
            ),
        ]
    )


def _objective_name(op: ObjectiveProgress) -> Markup:
    return s.join([s.strong(op.objective.id), " ", op.objective.title])


def _portfolio_table(ctx: ReportContext) -> Markup:
    objectives = ctx.evaluation.portfolio_objectives()
    if not objectives:
        return s.p("No portfolio objectives for this cycle.")
    rows = [
        [
            _objective_name(op),
            op.objective.owner or "—",
            pct(op.score),
            pct(op.expected),
            s.lozenge(op.status),
            _supported_by(ctx, op),
        ]
        for op in objectives
    ]
    headers = ["Objective", "Owner", "Score", "Expected", "Status", "Supported by"]
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
        items.append(s.render(f"{team_obj_id} ({team}, {pct(team_op.score)})"))
    return s.join(items, s.br())


def _objective_section(ctx: ReportContext, op: ObjectiveProgress) -> Markup:
    title = f"{op.objective.id} — {op.objective.title}"
    summary = s.p(
        f"Score {pct(op.score)} against {pct(op.expected)} expected",
        f"; owner {op.objective.owner}." if op.objective.owner else ".",
    )
    output = ctx.objective_output(op)
    return s.join(
        [
            s.heading(3, title),
            summary,
            _kr_table(op.key_results),
            s.p(s.strong("Work behind it: "), _output_sentence(output)),
            _epics_expand(ctx, op, output),
        ]
    )


def _kr_table(krs: tuple[KeyResultProgress, ...]) -> Markup:
    if not krs:
        return s.p("This objective has no key results yet.")
    headers = ["Key result", "Start → current → target", "Score", "Expected", "Status", "Work"]
    rows = [
        [
            s.join([s.strong(krp.key_result.id), " ", krp.key_result.title]),
            kr_progress_line(krp.key_result),
            pct(krp.score),
            pct(krp.expected),
            s.lozenge(krp.status),
            _output_short(krp.output),
        ]
        for krp in krs
    ]
    return s.table(headers, rows)


def _output_short(out: Output) -> str:
    if not out.epics_total:
        return "No epics yet"
    return (
        f"{plural(out.epics_total, 'epic')} ({out.epics_done} done), "
        f"{out.children_done}/{out.children_total} issues, "
        f"{points(out.points_done)}/{points(out.points_total)} points"
    )


def _output_sentence(out: Output) -> str:
    if not out.epics_total:
        return "no epics are tied to this objective yet."
    by_category = ", ".join(
        f"{out.epics_by_category[c]} {label.lower()}"
        for c, label in CATEGORY_LABEL.items()
        if out.epics_by_category.get(c)
    )
    return (
        f"{plural(out.epics_total, 'epic')} ({by_category}); "
        f"child issues {out.children_done} of {out.children_total} done; "
        f"story points {points(out.points_done)} of {points(out.points_total)} done."
    )


def _epics_expand(ctx: ReportContext, op: ObjectiveProgress, out: Output) -> Markup:
    if not out.epics_total:
        return Markup("")
    keys = dict.fromkeys([*op.epic_keys, *(k for kr in op.key_results for k in kr.epic_keys)])
    rows = []
    for key in keys:
        ea = ctx.epics.get(key)
        if ea is None:
            continue
        e = ea.epic
        rows.append(
            [
                s.jira_link(ctx.jira_url, e.key),
                e.summary,
                ctx.team_name(ea.team),
                e.status,
                ", ".join(ea.valid_okr_ids) or "—",
                f"{e.children.done}/{e.children.total}",
                f"{points(e.children.points_done)}/{points(e.children.points_total)}",
            ]
        )
    headers = ["Epic", "Summary", "Team", "Status", "Serves", "Child issues done", "Points done"]
    return s.expand(f"Epics behind {op.objective.id} ({len(rows)})", s.table(headers, rows))


def _team_objectives(ctx: ReportContext) -> Markup:
    team_ops = ctx.evaluation.team_objectives()
    if not team_ops:
        return s.p("No team objectives for this cycle yet.")
    parts: list[Markup] = []
    headers = ["Objective", "Owner", "Score", "Expected", "Status", "Supports", "Approval"]
    for team in ctx.team_order(op.objective.team for op in team_ops):
        rows = [
            [
                _objective_name(op),
                op.objective.owner or "—",
                pct(op.score),
                pct(op.expected),
                s.lozenge(op.status),
                s.join([ctx.okr_label(i) for i in op.objective.supports], s.br())
                if op.objective.supports
                else "Nothing yet",
                op.objective.approval.state.value if op.objective.approval else "—",
            ]
            for op in team_ops
            if op.objective.team == team
        ]
        parts += [s.heading(3, ctx.team_name(team)), s.table(headers, rows)]
    return s.join(parts)


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
    return s.table(headers, [_alignment_row(ctx, a) for a in shares])


def _alignment_row(ctx: ReportContext, a: AlignmentShare) -> list[s.Node]:
    name = s.strong("Portfolio total") if a.team is None else ctx.team_name(a.team)
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
    counts = Counter((f.severity, f.code) for f in ctx.evaluation.findings)
    ordered = sorted(counts.items(), key=lambda item: (-item[0][0].rank, item[0][1]))
    rows = [[severity.value, code, str(n)] for (severity, code), n in ordered]
    table = s.table(["Severity", "Finding", "Count"], rows) if rows else s.p("No findings.")
    unaligned = len(ctx.evaluation.unaligned())
    link = s.page_link(unaligned_title(ctx.portfolio_name))
    if unaligned:
        where = s.p(f"{plural(unaligned, 'active epic')} not tied to an outcome: see ", link, ".")
    else:
        where = s.p("Every active epic is tied to an outcome or exempt. Details: ", link, ".")
    return s.join([table, where])
