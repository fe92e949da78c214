"""One page per portfolio objective: its key results against time, who supports it, the work behind.

Order on the page answers a leader's questions in turn: is it moving (key results with start,
current, target, score, status, confidence, last check-in, and a trend chart)? Who has signed up
(supporting team objectives and the approval of each link)? What work serves each key result (epics
with Jira links and output progress)? What needs attention (its findings)?
"""

from __future__ import annotations

from reports import page_parts as parts
from reports import storage as s
from reports.context import ReportContext
from reports.forecast_parts import changes_section, forecast_line, forecast_table
from reports.pages import OVERVIEW, Page, objective_key, objective_title, overview_title
from reports.storage import Markup
from reports.text import kr_unit, kr_values, pct, plural, points, with_unit
from rules.model import ApprovalState
from rules.results import KeyResultProgress, ObjectiveProgress, Output

KR_HEADERS = [
    "Key result",
    "Start",
    "Current",
    "Target",
    "Score",
    "Expected",
    "Status",
    "Confidence",
    "Last check-in",
]


def objective_pages(ctx: ReportContext) -> list[Page]:
    return [_page(ctx, op) for op in ctx.evaluation.portfolio_objectives()]


def _page(ctx: ReportContext, op: ObjectiveProgress) -> Page:
    o = op.objective
    body = s.join(
        [
            _summary(ctx, op),
            parts.status_legend(ctx),
            s.toc(),
            s.heading(2, "Key results"),
            _kr_table(ctx, op.key_results),
            parts.score_chart(
                ctx,
                f"{o.id}: key-result scores",
                [(k.key_result.id, k.key_result.id) for k in op.key_results],
                objectives=False,
            ),
            s.heading(2, "Forecast at the cycle's end"),
            forecast_table(ctx, op),
            s.heading(2, "Team objectives that support it"),
            _supporters(ctx, op),
            s.heading(2, "The work behind each key result"),
            *_work(ctx, op),
            s.heading(2, "Changes to this objective"),
            changes_section(ctx, op),
            s.heading(2, "Findings"),
            parts.findings_table(ctx, ctx.objective_findings(op), mentions=True),
            s.p("Back to ", s.page_link(overview_title(ctx.portfolio_name)), "."),
        ]
    )
    title = objective_title(ctx.portfolio_name, o.id, o.title)
    return Page(objective_key(o.id), title, OVERVIEW, body)


def _summary(ctx: ReportContext, op: ObjectiveProgress) -> Markup:
    o = op.objective
    owner = f"Owner {o.owner}. " if o.owner else ""
    trend = ctx.trend(o.id)
    moved = (
        f" Since {ctx.previous.as_of.isoformat()}: {parts.trend(trend)}." if ctx.previous else ""
    )
    score = (
        f"Score {pct(op.score)} against {pct(op.expected)} expected."
        if op.score is not None
        else f"{ctx.progress_without_krs(op)}."
    )
    line = s.p(
        s.lozenge(op.status),
        f" {score} {owner}Confidence {parts.confidence(ctx.objective_confidence(op))}.{moved}"
        f"{forecast_line(op)}",
    )
    return line


def _kr_table(ctx: ReportContext, krs: tuple[KeyResultProgress, ...]) -> Markup:
    if not krs:
        return s.p("This objective has no key results yet.")
    rows = []
    for krp in krs:
        kr = krp.key_result
        start, current, target = kr_values(kr)
        unit = kr_unit(kr)
        checkin = ctx.last_checkin(kr)
        said: list[s.Node] = ["None yet"]
        if checkin is not None:
            said = [checkin.on.isoformat(), ": ", with_unit(checkin.value, unit)]
            if checkin.note:
                said += [s.br(), s.em(checkin.note)]
        rows.append(
            [
                s.join([s.strong(kr.id), " ", kr.title]),
                with_unit(start, unit),
                with_unit(current, unit),
                with_unit(target, unit),
                pct(krp.score),
                pct(krp.expected),
                s.lozenge(krp.status),
                parts.confidence(ctx.kr_confidence(kr)),
                s.join(said),
            ]
        )
    return s.table(KR_HEADERS, rows)


def _supporters(ctx: ReportContext, op: ObjectiveProgress) -> Markup:
    if not op.supported_by:
        return s.panel(
            "warning",
            s.p("No team objective supports this objective yet: no team has signed up for it."),
        )
    headers = ["Team objective", "Team", "Supports", "Score", "Status", "Approval"]
    rows = []
    for team_obj_id in op.supported_by:
        team_op = ctx.objectives.get(team_obj_id)
        if team_op is None:
            continue
        t = team_op.objective
        mine = [ref for ref in t.supports if _belongs(ref, op)]
        states = {c.okr_id.upper(): c.state for c in team_op.connections}
        approvals = [
            s.join([ref, " ", parts.approval(states.get(ref.upper(), _declared(team_op)))])
            for ref in mine
        ]
        rows.append(
            [
                s.join([s.strong(t.id), " ", t.title]),
                parts.team_link(ctx, t.team),
                s.join([ctx.okr_label(ref) for ref in mine], s.br()),
                ctx.score_text(team_op),
                s.lozenge(team_op.status),
                s.join(approvals, s.br()),
            ]
        )
    return s.table(headers, rows)


def _belongs(ref: str, op: ObjectiveProgress) -> bool:
    ids = {op.objective.id.upper(), *(k.key_result.id.upper() for k in op.key_results)}
    return ref.upper() in ids


def _declared(team_op: ObjectiveProgress) -> ApprovalState | None:
    """The catalogue's own approval state, where no connection state was computed."""
    approval = team_op.objective.approval
    return approval.state if approval is not None else None


def _work(ctx: ReportContext, op: ObjectiveProgress) -> list[Markup]:
    blocks: list[Markup] = []
    for krp in op.key_results:
        kr = krp.key_result
        epics = [ctx.epics[k] for k in krp.epic_keys if k in ctx.epics]
        blocks += [s.heading(3, f"{kr.id} {kr.title}"), s.p(_output_sentence(krp.output))]
        if epics:
            table = parts.capped_epics(ctx, epics)
            blocks.append(s.expand(f"Epics behind {kr.id} ({len(epics)})", table))
        elif kr.needs_work:
            blocks.append(
                s.panel("warning", s.p(f"No epic serves {kr.id} yet: who is working on it?"))
            )
    direct = [
        ctx.epics[k]
        for k in op.epic_keys
        if k in ctx.epics and op.objective.id.upper() in _upper(ctx.epics[k].valid_okr_ids)
    ]
    if direct:
        table = parts.capped_epics(ctx, direct)
        blocks += [
            s.heading(3, f"Epics that claim {op.objective.id} as a whole"),
            s.expand(f"Epics behind {op.objective.id} ({len(direct)})", table),
        ]
    return blocks or [s.p("This objective has no key results yet.")]


def _upper(ids: tuple[str, ...]) -> set[str]:
    return {i.upper() for i in ids}


def _output_sentence(out: Output) -> str:
    if not out.epics_total:
        return "No epics are tied to this key result yet."
    return (
        f"{plural(out.epics_total, 'epic')} ({out.epics_done} done); child issues "
        f"{out.children_done} of {out.children_total} done; story points "
        f"{points(out.points_done)} of {points(out.points_total)} done."
    )
