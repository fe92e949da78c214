"""Read the OKR catalogue: parsed YAML in, `rules.model.Catalogue` out, or one `ValidationProblem`.

Two stages: `rules.catalogue_schema` checks keys and types, then the checks here relate values to
each other. The first problem found stops the parse; its message names the file, the key path and
the value, e.g. `okrs.yaml: objectives[0].key_results[1].target: target equals start (42); a key
result must move`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from rules.approval import day_start
from rules.catalogue_schema import (
    CATALOGUE_VERSION,
    ApprovalFile,
    CatalogueFile,
    DecisionFile,
    KeyResultFile,
    ObjectiveFile,
)
from rules.model import (
    Approval,
    ApprovalState,
    Catalogue,
    CheckIn,
    Cycle,
    Decision,
    DecisionOrigin,
    KeyResult,
    KrKind,
    Level,
    Milestone,
    Objective,
    Team,
)
from rules.validation import ValidationProblem, closest, show_number, show_value, validate

_METRIC_ONLY = ("start", "target", "current", "direction", "measure", "current_on")


def parse_catalogue(data: object, filename: str) -> Catalogue:
    """Validate a parsed catalogue file and build the domain objects (ids kept as written)."""
    _check_version(data, filename)
    parsed = validate(CatalogueFile, data, filename)
    checker = _Checker(parsed, filename)
    checker.check()
    return Catalogue(
        cycles=tuple(Cycle(c.id, c.start, c.end) for c in parsed.cycles),
        teams=tuple(Team(t.id, t.name, t.projects, t.labels, t.aliases) for t in parsed.teams),
        objectives=tuple(_objective(o, checker.spelling) for o in parsed.objectives),
        decisions=tuple(_decision(d, checker.spelling) for d in parsed.approvals),
    )


def _check_version(data: object, filename: str) -> None:
    # Checked before anything else: a newer file may have a shape this version cannot describe.
    if not isinstance(data, Mapping) or "version" not in data:
        return  # the schema reports "missing required key" / "expected a mapping"
    version = data["version"]
    if type(version) is not int or version != CATALOGUE_VERSION:
        raise ValidationProblem(
            filename,
            "version",
            f"unsupported catalogue version {show_value(version)} "
            f"(this Outcomes reads version {CATALOGUE_VERSION})",
        )


class _Checker:
    """The checks that relate one value to another, in file order."""

    def __init__(self, parsed: CatalogueFile, filename: str) -> None:
        self.parsed = parsed
        self.filename = filename
        self.spelling: dict[str, str] = {}  # upper-cased OKR id -> id as written
        self.owner_of: dict[str, ObjectiveFile] = {}  # upper-cased OKR id -> its objective
        self.first_path: dict[str, str] = {}  # upper-cased OKR id -> where it is defined
        self.jira_path: dict[str, str] = {}  # Jira issue key -> where it is named
        # Known ids as sets, built once: a list per objective made checking quadratic.
        self.cycle_ids = {c.id for c in parsed.cycles}
        self.team_ids = {t.id for t in parsed.teams}

    def fail(self, path: str, message: str) -> ValidationProblem:
        return ValidationProblem(self.filename, path, message)

    def check(self) -> None:
        self._cycles()
        self._teams()
        for index, objective in enumerate(self.parsed.objectives):
            self._objective(f"objectives[{index}]", objective)
        for index, objective in enumerate(self.parsed.objectives):
            self._supports(f"objectives[{index}]", objective)
        for index, decision in enumerate(self.parsed.approvals):
            self._decision(f"approvals[{index}]", decision)

    def _cycles(self) -> None:
        if not self.parsed.cycles:
            raise self.fail("cycles", "a catalogue needs at least one cycle")
        seen: dict[str, int] = {}
        for index, cycle in enumerate(self.parsed.cycles):
            if cycle.end <= cycle.start:
                raise self.fail(
                    f"cycles[{index}].end",
                    f"must be after start ({cycle.start.isoformat()}), got {cycle.end.isoformat()}",
                )
            if cycle.id in seen:
                raise self.fail(
                    f"cycles[{index}].id",
                    f"duplicate cycle id {cycle.id!r} (also cycles[{seen[cycle.id]}].id)",
                )
            seen[cycle.id] = index

    def _teams(self) -> None:
        seen: dict[str, int] = {}
        owner: dict[str, str] = {}  # upper-cased project key -> the team that owns it
        for index, team in enumerate(self.parsed.teams):
            if team.id in seen:
                raise self.fail(
                    f"teams[{index}].id",
                    f"duplicate team id {team.id!r} (also teams[{seen[team.id]}].id)",
                )
            seen[team.id] = index
            for position, project in enumerate(team.projects):
                # An epic's team is its project's: one project, one team.
                if project.upper() in owner and owner[project.upper()] != team.id:
                    raise self.fail(
                        f"teams[{index}].projects[{position}]",
                        f"project {project!r} already belongs to team "
                        f"{owner[project.upper()]!r}; one team per project",
                    )
                owner[project.upper()] = team.id

    def _jira_key(self, path: str, key: str | None) -> None:
        if key is None:
            return
        if key in self.jira_path:
            raise self.fail(path, f"issue {key} also holds {self.jira_path[key]}; one OKR each")
        self.jira_path[key] = path

    def _objective(self, path: str, objective: ObjectiveFile) -> None:
        self._claim_id(f"{path}.id", objective.id, objective)
        self._jira_key(f"{path}.jira", objective.jira)
        if objective.cycle not in self.cycle_ids:
            cycle_ids = [c.id for c in self.parsed.cycles]
            raise self.fail(f"{path}.cycle", _no_such("cycle", objective.cycle, cycle_ids))
        if objective.team is not None and objective.team not in self.team_ids:
            team_ids = [t.id for t in self.parsed.teams]
            raise self.fail(f"{path}.team", _no_such("team", objective.team, team_ids))
        if objective.level == "team" and objective.team is None:
            raise self.fail(f"{path}.level", "level is team but no team is given (add team: ...)")
        if objective.level == "portfolio" and objective.team is not None:
            raise self.fail(
                f"{path}.level", f"level is portfolio but team {objective.team!r} is given"
            )
        if objective.supports and objective.team is None:
            raise self.fail(
                f"{path}.supports",
                f"only team objectives support others; {objective.id} is a portfolio objective",
            )
        for index, key_result in enumerate(objective.key_results):
            kr_path = f"{path}.key_results[{index}]"
            self._claim_id(f"{kr_path}.id", key_result.id, objective)
            self._jira_key(f"{kr_path}.jira", key_result.jira)
            self._key_result(kr_path, key_result)

    def _claim_id(self, path: str, okr_id: str, objective: ObjectiveFile) -> None:
        # Claims match ids case-insensitively, so two ids that differ only in case would collide.
        key = okr_id.upper()
        if key in self.spelling:
            raise self.fail(path, f"duplicate id {okr_id!r} (also {self.first_path[key]})")
        self.spelling[key] = okr_id
        self.first_path[key] = path
        self.owner_of[key] = objective

    def _key_result(self, path: str, kr: KeyResultFile) -> None:
        given = kr.model_fields_set
        if kr.kind != "metric":
            for key in _METRIC_ONLY:
                if key in given:
                    raise self.fail(
                        f"{path}.{key}",
                        f"only metric key results have {key}; this one is a {kr.kind} key result",
                    )
        if kr.kind != "milestone" and "milestones" in given:
            raise self.fail(
                f"{path}.milestones",
                "only milestone key results have milestones (add kind: milestone)",
            )
        if kr.kind != "boolean" and "done" in given:
            raise self.fail(
                f"{path}.done", "only boolean key results have done (add kind: boolean)"
            )
        if kr.kind == "metric":
            self._metric(path, kr)
        if kr.kind == "milestone" and not kr.milestones:
            need = "a milestone key result needs at least one milestone"
            if "milestones" not in given:
                raise self.fail(f"{path}.milestones", f"missing required key ({need})")
            raise self.fail(f"{path}.milestones", f"{need}, got []")

    def _metric(self, path: str, kr: KeyResultFile) -> None:
        for key in ("start", "target"):
            if getattr(kr, key) is None:
                what = (
                    "missing required key"
                    if key not in kr.model_fields_set
                    else "expected a number, got null"
                )
                need = "a metric key result needs start and target"
                raise self.fail(f"{path}.{key}", f"{what} ({need})")
        self._measure(f"{path}.measure", kr)
        start, target = kr.start, kr.target
        assert start is not None and target is not None  # checked just above
        if start == target:
            raise self.fail(
                f"{path}.target",
                f"target equals start ({show_number(start)}); a key result must move",
            )
        actual = "increase" if target > start else "decrease"
        if kr.direction is not None and kr.direction != actual:
            relation = "above" if actual == "increase" else "below"
            raise self.fail(
                f"{path}.direction",
                f"says {kr.direction}, but target {show_number(target)} is {relation} "
                f"start {show_number(start)}",
            )

    def _measure(self, path: str, kr: KeyResultFile) -> None:
        measure = kr.measure
        if measure is None:
            return
        if measure.jql is not None and (measure.field or measure.issue):
            raise self.fail(path, "give either jql, or field (with issue), not both")
        if measure.jql is None and measure.field is None:
            raise self.fail(path, "missing required key (jql: a JQL count, or field: a number)")
        if measure.field is not None and measure.issue is None and kr.jira is None:
            raise self.fail(
                f"{path}.issue",
                f"missing required key (which issue's {measure.field!r}? "
                "or give the key result a jira: issue)",
            )
        if measure.issue is not None and measure.field is None:
            raise self.fail(f"{path}.field", "missing required key (the numeric field to read)")

    def _spelt(self, ids: Sequence[str]) -> list[str]:
        return [self.spelling.get(i.upper(), i) for i in ids]

    def _decision(self, path: str, decision: DecisionFile) -> None:
        target = self.owner_of.get(decision.subject.upper())
        if target is not None:
            if target.team is None or target.id.upper() != decision.subject.upper():
                raise self.fail(
                    f"{path}.subject",
                    f"{decision.subject!r} is no team objective; approvals name an epic key or "
                    "a team objective id",
                )
            supports = {ref.upper() for ref in target.supports}
            if decision.okr is not None and decision.okr.upper() not in supports:
                raise self.fail(
                    f"{path}.okr",
                    f"{target.id} does not support {decision.okr!r} "
                    f"(it supports: {', '.join(self._spelt(target.supports)) or 'nothing'})",
                )
            return
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*-[0-9]+", decision.subject):
            raise self.fail(
                f"{path}.subject",
                "expected an epic key like PAY-12 or a team objective id, "
                f"got {decision.subject!r}",
            )
        if decision.okr is not None and decision.okr.upper() not in self.spelling:
            close = closest(decision.okr.upper(), list(self.spelling))
            hint = f" (did you mean {self.spelling[close]!r}?)" if close else ""
            raise self.fail(f"{path}.okr", f"{decision.okr!r} is not in the catalogue{hint}")

    def _supports(self, path: str, objective: ObjectiveFile) -> None:
        for index, ref in enumerate(objective.supports):
            where = f"{path}.supports[{index}]"
            target = self.owner_of.get(ref.upper())
            if target is None:
                close = closest(ref.upper(), list(self.spelling))
                hint = f" (did you mean {self.spelling[close]!r}?)" if close else ""
                raise self.fail(
                    where, f"{objective.id} supports {ref!r}, which is not in the catalogue{hint}"
                )
            if target.team is not None:
                raise self.fail(
                    where,
                    f"{objective.id} supports {ref!r} of team objective {target.id}; "
                    "team objectives support portfolio objectives or their key results",
                )
            if target.cycle != objective.cycle:
                raise self.fail(
                    where,
                    f"{objective.id} (cycle {objective.cycle}) supports {ref!r} "
                    f"of cycle {target.cycle}; both must be in the same cycle",
                )


def _no_such(what: str, value: str, known: Sequence[str]) -> str:
    close = closest(value, known)
    hint = f" (did you mean {close!r}?)" if close else ""
    return f"no {what} {value!r} in {what}s{hint}"


# --- building the domain objects -----------------------------------------------------------------


def _objective(o: ObjectiveFile, spelling: Mapping[str, str]) -> Objective:
    supports = tuple(dict.fromkeys(spelling[ref.upper()] for ref in o.supports))
    return Objective(
        id=o.id,
        title=o.title,
        level=Level.TEAM if o.team is not None else Level.PORTFOLIO,
        cycle_id=o.cycle,
        team=o.team,
        owner=o.owner,
        supports=supports,  # spelled as the catalogue spells the supported ids
        approval=_approval(o.approval),
        retired=o.retired,
        key_results=tuple(_key_result(kr, o.id, o.owner) for kr in o.key_results),
        jira_key=o.jira,
    )


def _decision(d: DecisionFile, spelling: Mapping[str, str]) -> Decision:
    known = spelling.get(d.subject.upper())
    return Decision(
        subject=known or d.subject.upper(),
        okr_id=spelling[d.okr.upper()] if d.okr is not None else None,
        state=ApprovalState(d.state),
        at=day_start(d.at),
        by=d.by,
        why=d.note,
        origin=DecisionOrigin.CATALOGUE,
    )


def _approval(a: ApprovalFile | None) -> Approval | None:
    if a is None:
        return None
    return Approval(state=ApprovalState(a.state), by=a.by, at=a.at, note=a.note)


def _key_result(kr: KeyResultFile, objective_id: str, owner: str | None) -> KeyResult:
    checkins = sorted(kr.checkins, key=lambda c: c.on)  # oldest first, whatever the file order
    return KeyResult(
        id=kr.id,
        objective_id=objective_id,
        title=kr.title,
        kind=KrKind(kr.kind),
        start=kr.start,
        target=kr.target,
        current=kr.current,
        unit=kr.unit,
        weight=kr.weight,
        confidence=kr.confidence,
        needs_work=kr.needs_work,
        milestones=tuple(Milestone(m.title, m.done) for m in kr.milestones or ()),
        done=bool(kr.done),
        measure_jql=kr.measure.jql if kr.measure else None,
        checkins=tuple(
            CheckIn(c.on, c.value, c.confidence, c.note, forecast=c.forecast) for c in checkins
        ),
        jira_key=kr.jira,
        current_on=kr.current_on,
        measure_field=kr.measure.field if kr.measure else None,
        measure_issue=(kr.measure.issue or kr.jira) if kr.measure and kr.measure.field else None,
        owner=kr.owner or owner,
    )
