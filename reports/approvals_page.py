"""The "Awaiting approval" page: the connections leaders must decide, oldest first, and the loop
of the ones decided.

Teams propose (a team objective supports a portfolio OKR; an epic claims a key result); leaders
approve or reject, here: each waiting connection has an "Approve" and a "Reject" task
(`reports.approval_tasks`) and an empty cell for the reason. Waiting since: when a sync first saw
the connection; else the date of the last word on it; else when the epic was created; a team
objective's link with no date recorded sorts first.
"""

from __future__ import annotations

from datetime import date, datetime

from reports import page_parts as parts
from reports import storage as s
from reports.approval_loop import Loop, decided, how, who, why
from reports.approval_tasks import APPROVE, ARROW, NOTE_HEADER, REJECT, task_list
from reports.context import ReportContext
from reports.pages import APPROVALS, OVERVIEW, Page, approvals_title, overview_title
from reports.storage import Markup
from reports.text import plural
from rules.model import Claim, Connection, Decision

NOT_RECORDED = date.min


def approvals_page(ctx: ReportContext) -> Page:
    waiting = ctx.evaluation.awaiting_approval()
    links = sorted(
        (w for w in waiting if isinstance(w, Connection)),
        key=lambda c: (_link_since(c), c.objective_id, c.okr_id),
    )
    claims = sorted(
        (w for w in waiting if isinstance(w, Claim)),
        key=lambda c: (_claim_since(ctx, c), c.epic_key, c.okr_id),
    )
    rejected = [f for f in ctx.evaluation.findings if f.code == "REJECTED_CLAIM"]
    loops = decided(ctx)
    ignored = ctx.evaluation.not_counted
    body = s.join(
        [
            _intro(len(links) + len(claims)),
            s.heading(2, f"Team objectives and what they support ({len(links)})"),
            _links_table(ctx, links),
            s.heading(2, f"Epics and the key results they claim ({len(claims)})"),
            _claims_table(ctx, claims),
            s.heading(
                2, f"Not counted: decided by someone who is not an approver ({len(ignored)})"
            ),
            _ignored_table(ctx, list(ignored)),
            s.heading(2, f"Decided ({len(loops)})"),
            _decided_table(ctx, loops),
            s.heading(2, f"Rejected, but the work goes on ({len(rejected)})"),
            parts.findings_table(ctx, rejected) if rejected else s.p("Nothing."),
            s.p("Back to ", s.page_link(overview_title(ctx.portfolio_name)), "."),
        ]
    )
    return Page(APPROVALS, approvals_title(ctx.portfolio_name), OVERVIEW, body)


def _intro(count: int) -> Markup:
    if not count:
        return s.p("Nothing waits for a decision: every connection is approved or rejected.")
    return s.join(
        [
            s.p(
                f"{plural(count, 'connection')} {'waits' if count == 1 else 'wait'} for a "
                "leader's decision, oldest first. Does this team objective, this epic, really "
                "serve that outcome?"
            ),
            s.panel(
                "note",
                s.p(
                    "Decide here: tick ",
                    s.strong(APPROVE),
                    " or ",
                    s.strong(REJECT),
                    " in the connection's row; to reject, first write the reason in the row's "
                    "last cell. The next sync or publish records the decision with your name "
                    "and moves the row to Decided. You can also decide with ",
                    s.code("outcomes approve"),
                    " or ",
                    s.code("outcomes reject"),
                    ", or with the approval label or field in Jira. Where the settings name "
                    "approvers, only their decisions count.",
                ),
            ),
        ]
    )


def _since(day: date) -> str:
    return "not recorded" if day == NOT_RECORDED else day.isoformat()


def _link_since(link: Connection) -> date:
    if link.proposed_at is not None:
        return link.proposed_at.date()
    return link.decision.at.date() if link.decision is not None else NOT_RECORDED


def _claim_since(ctx: ReportContext, claim: Claim) -> date:
    if claim.proposed_at is not None:
        return claim.proposed_at.date()
    if claim.decision is not None:
        return claim.decision.at.date()
    ea = ctx.epics.get(claim.epic_key)
    created = ea.epic.created if ea is not None else None
    return created.date() if created is not None else NOT_RECORDED


def _links_table(ctx: ReportContext, links: list[Connection]) -> Markup:
    if not links:
        return s.p("None.")
    rows = []
    for link in links:
        op = ctx.objectives.get(link.objective_id)
        o = op.objective if op is not None else None
        rows.append(
            [
                _since(_link_since(link)),
                s.join([s.strong(link.objective_id), " ", o.title if o else ""]),
                parts.team_link(ctx, o.team if o else None),
                o.owner if o and o.owner else "—",
                ctx.okr_label(link.okr_id),
                task_list(link.objective_id, link.okr_id),
                "",
            ]
        )
    headers = ["Waiting since", "Team objective", "Proposed by", "Owner", "Supports"]
    return s.table([*headers, "Decide", NOTE_HEADER], rows)


def _claims_table(ctx: ReportContext, claims: list[Claim]) -> Markup:
    if not claims:
        return s.p("None.")
    shown, note = parts.capped(ctx, claims)  # the longest waiting first
    rows = []
    for claim in shown:
        ea = ctx.epics.get(claim.epic_key)
        rows.append(
            [
                _since(_claim_since(ctx, claim)),
                parts.issue(ctx, claim.epic_key),
                ea.epic.summary if ea else "",
                parts.team_link(ctx, ea.team if ea else None),
                ea.epic.status if ea else "—",
                ctx.okr_label(claim.okr_id),
                claim.detail or claim.source.value,
                task_list(claim.epic_key, claim.okr_id),
                "",
            ]
        )
    headers = ["Waiting since", "Epic", "Summary", "Proposed by", "Status", "Claims", "Tagged by"]
    return s.join([s.table([*headers, "Decide", NOTE_HEADER], rows), note])


def _when(ctx: ReportContext, moment: datetime | None) -> str:
    shown = ctx.wall_time(moment)
    return shown.strftime("%Y-%m-%d %H:%M") if shown is not None else "not recorded"


def _decided_table(ctx: ReportContext, loops: list[Loop]) -> Markup:
    if not loops:
        return s.p("None yet.")
    loops = sorted(
        loops, key=lambda lp: lp.decision.at if lp.decision else datetime.min, reverse=True
    )
    shown, note = parts.capped(ctx, loops)  # the latest decisions first
    rows = []
    for loop in shown:
        d = loop.decision
        assert d is not None
        rows.append(
            [
                s.join([_subject(ctx, loop.subject), f" {ARROW} ", ctx.okr_label(loop.okr_id)]),
                parts.team_link(ctx, loop.team),
                _when(ctx, _proposed(loop)),
                s.status(loop.state.value, "Green" if loop.state.value == "approved" else "Red"),
                who(d),
                _when(ctx, d.at),
                how(d),
                why(d) or "—",
            ]
        )
    headers = ["Connection", "Proposed by", "Proposed", "Decision", "Decided by", "When", "How"]
    return s.join([s.table([*headers, "Why"], rows), note])


def _proposed(loop: Loop) -> datetime | None:
    """When the connection was proposed: unknown when the first sync that saw it came after the
    decision (a connection decided before Outcomes recorded proposals)."""
    if loop.proposed_at is None or loop.decision is None:
        return loop.proposed_at
    return loop.proposed_at if loop.proposed_at <= loop.decision.at else None


def _ignored_table(ctx: ReportContext, ignored: list[Decision]) -> Markup:
    if not ignored:
        return s.p("None.")
    rows = [
        [
            s.join([_subject(ctx, d.subject), f" {ARROW} ", ctx.okr_label(d.okr_id or "*")]),
            d.state.value,
            who(d),
            _when(ctx, d.at),
            how(d),
            why(d) or "—",
        ]
        for d in ignored
    ]
    headers = ["Connection", "Would have", "Decided by", "When", "How", "Why"]
    return s.join(
        [
            s.p(
                "Kept in the audit trail, but not counted: only the approvers the settings "
                "name decide. An approver can decide the connection again."
            ),
            s.table(headers, rows),
        ]
    )


def _subject(ctx: ReportContext, subject: str) -> Markup:
    return parts.issue(ctx, subject) if subject in ctx.epics else s.strong(subject)
