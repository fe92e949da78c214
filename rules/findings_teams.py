"""Findings about which team an epic belongs to."""

from __future__ import annotations

from collections.abc import Iterator

from rules.finding_base import FindingContext, Flag, epic_name


def ambiguous_team(context: FindingContext) -> Iterator[Flag]:
    """An active epic whose components, Team field values or team labels name several teams:
    it counts under one (the project's team if named, else the first in catalogue order)."""
    catalogue = context.catalogue
    for alignment in context.epics:
        if not alignment.epic.active or not alignment.other_teams:
            continue
        counted = catalogue.team_name(alignment.team)
        others = [catalogue.team_name(t) for t in alignment.other_teams]
        named = ", ".join([counted, *others[:-1]]) + f" and {others[-1]}"
        yield Flag(
            alignment.epic.key,
            f"{epic_name(alignment.epic)} names the teams {named}; it is counted under {counted}",
            "Leave the epic only its own team's component or label, or split the work into an "
            "epic per team.",
            alignment.team,
        )
