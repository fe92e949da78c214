"""The "Awaiting approval" page: the connections leaders must decide, oldest first.

Teams propose (a team objective supports a portfolio OKR; an epic claims a key result); leaders
approve or reject. Waiting since: the date of the last word on the connection when there is one,
else when the epic was created; a team objective's link with no date recorded sorts first.
"""

from __future__ import annotations

from datetime import date

from reports import page_parts as parts
from reports import storage as s
from reports.context import ReportContext
from reports.pages import APPROVALS, OVERVIEW, Page, approvals_title, overview_title
from reports.storage import Markup
from reports.text import plural
from rules.model import Claim, Connection

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
    body = s.join(
        [
            _intro(len(links) + len(claims)),
            s.heading(2, f"Team objectives and what they support ({len(links)})"),
            _links_table(ctx, links),
            s.heading(2, f"Epics and the key results they claim ({len(claims)})"),
            _claims_table(ctx, claims),
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
                    "Decide with ",
                    s.code("outcomes approve"),
                    " or ",
                    s.code("outcomes reject"),
                    ", or with the approval label or field in Jira; the next run shows it here.",
                ),
            ),
        ]
    )


def _since(day: date) -> str:
    return "not recorded" if day == NOT_RECORDED else day.isoformat()


def _link_since(link: Connection) -> date:
    return link.decision.at.date() if link.decision is not None else NOT_RECORDED


def _claim_since(ctx: ReportContext, claim: Claim) -> date:
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
            ]
        )
    return s.table(["Waiting since", "Team objective", "Team", "Owner", "Supports"], rows)


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
            ]
        )
    headers = ["Waiting since", "Epic", "Summary", "Team", "Status", "Claims", "Tagged by"]
    return s.join([s.table(headers, rows), note])
