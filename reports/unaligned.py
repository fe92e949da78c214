"""The "Work not tied to an outcome" page: active epics with no valid claim, team by team.

Its tone is an invitation, not a verdict: each row says why the epic counts as unaligned and how to
tie it to the outcome it serves (or mark it exempt).
"""

from __future__ import annotations

from reports import page_parts as parts
from reports import storage as s
from reports.context import ReportContext
from reports.pages import OVERVIEW, UNALIGNED, Page, overview_title, unaligned_title
from reports.storage import Markup
from reports.text import plural, points, sentences
from rules.results import EpicAlignment

HEADERS = ["Epic", "Summary", "Status", "Assignee", "Child issues done", "Points done", "Why"]


def unaligned_page(ctx: ReportContext) -> Page:
    epics = ctx.evaluation.unaligned()
    back = s.p("Back to ", s.page_link(overview_title(ctx.portfolio_name)), ".")
    if not epics:
        body = s.join(
            [
                s.p(
                    f"Every active epic in cycle {ctx.evaluation.cycle.id} is tied to an outcome "
                    "or marked exempt. Nothing to do here."
                ),
                back,
            ]
        )
    else:
        body = s.join([_intro(ctx, len(epics)), *_team_sections(ctx, epics), back])
    return Page(UNALIGNED, unaligned_title(ctx.portfolio_name), OVERVIEW, body)


def _intro(ctx: ReportContext, count: int) -> Markup:
    ev = ctx.evaluation
    tagging = ctx.tagging
    return s.join(
        [
            s.p(
                f"{plural(count, 'active epic')} in cycle {ev.cycle.id} "
                f"{'is' if count == 1 else 'are'} not tied to any outcome, as of "
                f"{ev.as_of.isoformat()}. That may be fine — then say which outcome the work "
                "serves, or mark it as keep-the-lights-on."
            ),
            s.info(
                s.p(
                    "To tie an epic to an outcome, add the label ",
                    s.code(tagging.label("<key result id>")),
                    " (for example ",
                    s.code(tagging.label(ctx.example_kr_id())),
                    "). For keep-the-lights-on work, add ",
                    s.code(tagging.exempt_label),
                    ".",
                )
            ),
        ]
    )


def _team_sections(ctx: ReportContext, epics: tuple[EpicAlignment, ...]) -> list[Markup]:
    sections: list[Markup] = []
    teams = ctx.team_order(e.team for e in epics)
    # The page as a whole keeps to about max_rows rows: a share for each team (its page has more).
    share = max(1, ctx.max_rows // max(1, len(teams)))
    for team in teams:
        of_team = [e for e in epics if e.team == team]
        shown, note = parts.capped(ctx, of_team, share)
        title = f"{ctx.team_name(team)} ({plural(len(of_team), 'epic')})"
        table = s.table(HEADERS, [_row(ctx, e) for e in shown])
        sections += [s.heading(2, title), s.join([table, note])]
        if team is not None and any(t.id == team for t in ctx.catalogue.teams):
            sections.append(s.p("More on the team's page: ", parts.team_link(ctx, team), "."))
    return sections


def _row(ctx: ReportContext, ea: EpicAlignment) -> list[s.Node]:
    e = ea.epic
    reasons, hints = ctx.why_unaligned(e.key)
    why = s.join(
        [
            s.join(reasons, s.br()),
            s.br(),
            s.el("em", sentences(hints)),
        ]
    )
    return [
        parts.issue(ctx, e.key),
        e.summary,
        e.status,
        e.assignee or "Unassigned",
        f"{e.children.done}/{e.children.total}",
        f"{points(e.children.points_done)}/{points(e.children.points_total)}",
        why,
    ]
