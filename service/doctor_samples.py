"""What `outcomes doctor` learns from a sample of each portfolio's epics (and their children).

A field can exist and still be the wrong one: a Cloud site often has both "Story Points" (never
filled) and "Story point estimate" (filled). So doctor reads the first epics of each portfolio, and
their child issues, asking only for the fields the settings use plus similarly named ones, and
counts: how many carry a value in each configured field (naming a similar field that does, when
the chosen one is empty), how many map to a catalogue team by the product's own team rules (and
the component, label or value names no team has), and how many claim an OKR (and the unknown ids).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any

from connector.jira_source import BASE_FIELDS, JiraSource
from connector.store.issues import IssueRecord
from rules.alignment import team_choice, team_lookup
from rules.claims import OkrIndex, Verdict, extract_claims
from rules.model import Catalogue, Epic, IssueLink, StatusCategory
from rules.policy import Policy
from service.settings import Settings

SAMPLE_EPICS = 200  # per portfolio: enough to see what the fields hold, cheap on any site
SAMPLE_CHILDREN = 1000  # child issues of the sampled epics, where story points sit
MAX_SIMILAR = 10  # similarly named fields asked for alongside each configured one

Report = Callable[[bool, str, str], None]


@dataclass(frozen=True)
class Configured:
    key: str  # the settings key, e.g. jira.story_points_field
    name: str  # the field's name as the settings give it
    field_id: str | None  # what it resolved to on this site
    on_children: bool = False  # story points sit on stories: count the child issues


@dataclass(frozen=True)
class Sample:
    epics: list[dict[str, Any]]  # raw issues, as Jira sent them
    children: list[dict[str, Any]]


def configured_fields(s: Settings, source: JiraSource) -> list[Configured]:
    """The fields the settings point at that hold values we read."""
    points = source.site.story_points
    # The name may have resolved to a fallback ("Story point estimate"): show the field's own.
    name = source.field_map.name_of(points) if points else s.jira.story_points_field
    found = [Configured("jira.story_points_field", name, points, on_children=True)]
    if s.claims.field is not None:
        found.append(Configured("claims.field", s.claims.field.name, source.claims.claim_field))
    if s.approval.jira_field:
        approval = source.claims.approval_field
        found.append(Configured("approval.jira_field", s.approval.jira_field, approval))
    if s.teams.source == "field":
        found.append(Configured("teams.field", s.teams.field or "Team", source.teams.field_id))
    for key, (field_id, _) in source.epic_fields.wanted.items():
        name = source.field_map.name_of(field_id)
        found.append(Configured(f"jira.epic_fields.{key}", name, field_id))
    return found


def similar_fields(
    field_list: Sequence[dict[str, Any]], wanted: Configured
) -> list[tuple[str, str]]:
    """(id, name) of other fields sharing a word with the configured name (case-insensitive,
    "points" and "point" alike); for story points, numeric fields only."""
    words = _words(wanted.name)
    found = []
    for field in field_list:
        field_id, name = str(field.get("id", "")), str(field.get("name", ""))
        if field_id == wanted.field_id or not words & _words(name):
            continue
        kind = (field.get("schema") or {}).get("type")
        if wanted.on_children and kind not in (None, "number"):
            continue
        found.append((field_id, name))
    return found[:MAX_SIMILAR]


def _words(name: str) -> set[str]:
    return {
        w[:-1] if len(w) > 3 and w.endswith("s") else w for w in re.findall(r"\w+", name.casefold())
    }


def take_sample(source: JiraSource, jql: str, fields: list[str], child_fields: list[str]) -> Sample:
    """The first SAMPLE_EPICS epics of the query and up to SAMPLE_CHILDREN of their children."""
    epics = list(islice(_issues(source.searcher.pages(jql, fields)), SAMPLE_EPICS))
    children: list[dict[str, Any]] = []
    if epics and child_fields:
        query = source.children_jql([str(e["id"]) for e in epics])
        children = list(
            islice(_issues(source.searcher.pages(query, child_fields)), SAMPLE_CHILDREN)
        )
    return Sample(epics, children)


def _issues(pages: Iterable[list[dict[str, Any]]]) -> Iterable[dict[str, Any]]:
    for page in pages:
        yield from page


def sample_fields(source: JiraSource, configured: list[Configured]) -> tuple[list[str], list[str]]:
    """What to ask for: the epics' fields (the sync's own, plus similar ones) and the children's."""
    similar = {c.key: similar_fields(source.field_list, c) for c in configured}
    epic_fields = list(dict.fromkeys([*BASE_FIELDS, *source.fields]))
    child_fields: list[str] = []
    for c in configured:
        ids = [i for i in (c.field_id, *(f for f, _ in similar[c.key])) if i]
        epic_fields.extend(i for i in ids if i not in epic_fields)
        if c.on_children:
            child_fields.extend(ids)
    return epic_fields, child_fields


def check_fields(
    source: JiraSource, sample: Sample, configured: list[Configured], where: str, report: Report
) -> None:
    """One line per configured field: how many sampled issues carry a value in it; when none
    does but a similarly named field has values, a failed line with the setting to change."""
    for c in configured:
        # Story points sit on stories: count the child issues first, the epics as well.
        groups = [(sample.children, "child issues"), (sample.epics, "epics")]
        if not c.on_children:
            groups = groups[1:]
        subject = f"{c.key} ({where})"
        if not any(issues for issues, _ in groups):
            report(True, subject, f"no sampled {groups[0][1]} to count {c.name!r} on")
            continue
        named = f"{c.name!r} ({c.field_id})" if c.field_id else f"{c.name!r} (not on this site)"
        if c.field_id and (counted := _counts(groups, c.field_id)):
            report(True, subject, f"{named} has a value on {counted}")
            continue
        sampled = " and ".join(f"{len(issues)} sampled {what}" for issues, what in groups if issues)
        others = [
            (name, field_id, counted)
            for field_id, name in similar_fields(source.field_list, c)
            if (counted := _counts(groups, field_id))
        ]
        if not others:
            if c.field_id:  # (a field the site lacks has its own failed line already)
                # Nothing better to point at: maybe nobody fills it yet, not a setting to change.
                report(True, subject, f"{named} is empty on all {sampled}")
            continue
        also = "; ".join(f"{n!r} ({i}) has values on {k}" for n, i, k in others)
        report(
            False,
            subject,
            f"{named} is empty on all {sampled}; {also}:"
            f" set `{c.key}: {others[0][0]}` in the settings",
        )


def _counts(groups: Sequence[tuple[Sequence[dict[str, Any]], str]], field_id: str) -> str:
    """'4 of 4 sampled child issues and 0 of 7 epics', or '' when no issue has a value."""
    counts = [(_filled(issues, field_id), len(issues), what) for issues, what in groups if issues]
    if not any(filled for filled, _, _ in counts):
        return ""
    return " and ".join(f"{f} of {n} sampled {what}" for f, n, what in counts)


def _filled(issues: Sequence[dict[str, Any]], field_id: str) -> int:
    return sum(1 for issue in issues if (issue.get("fields") or {}).get(field_id) not in _EMPTY)


_EMPTY: tuple[Any, ...] = (None, "", [], {})


def epics_of(source: JiraSource, sample: Sample) -> list[Epic]:
    return [_epic(source.record(raw, is_epic=True)) for raw in sample.epics]


def _epic(record: IssueRecord) -> Epic:
    return Epic(
        key=record.key,
        summary=record.summary,
        project=record.project,
        status=record.status,
        status_category=StatusCategory(record.status_category),
        labels=tuple(record.labels),
        parent_key=record.parent_key,
        claim_field=tuple(record.claim_values),
        links=tuple(IssueLink(**link) for link in record.links),
        parent_type=record.parent_type,
        approval_value=record.approval_value,
        team_names=tuple(record.team_names),
    )


def check_teams(
    epics: Sequence[Epic],
    catalogue: Catalogue,
    team_source: str,
    catalogue_file: str,
    where: str,
    report: Report,
) -> None:
    """How many sampled epics map to a catalogue team, and the names no team has."""
    if not epics:
        return
    lookup = team_lookup(tuple(catalogue.teams))
    mapped = sum(1 for epic in epics if team_choice(epic, lookup).team is not None)
    unmatched: Counter[str] = Counter()
    if team_source == "project":
        unmatched.update(e.project for e in epics if team_choice(e, lookup).team is None)
        kinds, fix = "projects", f"add it to the projects of its team in {catalogue_file}"
    else:
        for epic in epics:
            names = [n for n in epic.team_names if n.casefold() not in lookup.by_name]
            # A component beside one that names a team is about something else (a subsystem,
            # say): only an epic none of whose names is a team's falls back, and is worth a fix.
            if names and len(names) == len(epic.team_names):
                unmatched.update(names)
        kinds = {"component": "components", "label": "team labels"}.get(
            team_source, "team field values"
        )
        fix = f"add it to the aliases of the team it names in {catalogue_file}"
    detail = f"{mapped} of {len(epics)} sampled epics map to a catalogue team"
    if unmatched:
        listed = ", ".join(f"{name!r} ({count})" for name, count in unmatched.most_common())
        report(False, f"teams ({where})", f"{detail}; {kinds} no team has: {listed} — {fix}")
    else:
        report(True, f"teams ({where})", detail)


def check_claims(
    epics: Sequence[Epic], catalogue: Catalogue, policy: Policy, where: str, report: Report
) -> None:
    """How many sampled epics claim an OKR, and the ids the catalogue does not know."""
    if not epics:
        return
    index = OkrIndex.of(catalogue)
    claiming = 0
    unknown: Counter[str] = Counter()
    for epic in epics:
        claims = extract_claims(epic, policy, index)
        claiming += bool(claims)
        unknown.update(
            c.okr_id for c in claims if index.verdict(c.okr_id, _ANY_DAY) is Verdict.UNKNOWN
        )
    detail = f"{claiming} of {len(epics)} sampled epics claim an OKR"
    if unknown:
        listed = ", ".join(f"{okr} ({count})" for okr, count in unknown.most_common())
        detail += f"; ids the catalogue does not know: {listed} (the findings flag these epics)"
    report(True, f"claims ({where})", detail)


# Whether an id is known does not depend on the date; verdict() needs one.
_ANY_DAY = date(2000, 1, 1)
