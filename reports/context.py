"""Look-ups that every report needs, computed once from an evaluation and its catalogue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from functools import cached_property

from reports.text import pct, plural
from reports.trends import History, Snapshot, current_snapshot
from rules.model import ApprovalState, Catalogue, CheckIn, Finding, KeyResult, StatusCategory
from rules.okr_changes import OkrChange
from rules.policy import Policy, claim_label
from rules.results import EpicAlignment, Evaluation, KeyResultProgress, ObjectiveProgress, Output

# Findings about an epic that explain why it is not tied to an outcome, most specific first.
_REASON_ORDER = ("UNKNOWN_OKR", "OUT_OF_CYCLE", "REJECTED_CLAIM", "AWAITING_APPROVAL")


@dataclass(frozen=True)
class Tagging:
    """How teams tie an epic to an outcome; the defaults match the example settings. Built from
    the rules' own policy (`of`), so a report names the very label the rules read."""

    label_prefix: str = "okr:"
    exempt_label: str = "okr-exempt"
    label_suffix: str = ""  # a pattern such as `<id>@okr` has one

    @classmethod
    def of(cls, policy: Policy) -> Tagging:
        exempt = policy.exempt_labels[0] if policy.exempt_labels else "okr-exempt"
        return cls(policy.label_prefix, exempt, policy.label_suffix)

    def label(self, okr_id: str) -> str:
        """The label that claims `okr_id`, e.g. okr:P1.KR2 or P1.KR2@okr."""
        return claim_label(okr_id, self.label_prefix, self.label_suffix)


@dataclass(frozen=True)
class PaceBands:
    """The status bands the rules used (settings: status_bands), for the legend on each page that
    shows a status; the defaults are the rules' own."""

    on_track: float = Policy.on_track
    at_risk: float = Policy.at_risk

    @classmethod
    def of(cls, policy: Policy) -> PaceBands:
        return cls(policy.on_track, policy.at_risk)


MAX_TABLE_ROWS = 500  # rows of one table on a page by default; the workbook lists everything


@dataclass(frozen=True)
class ReportContext:
    evaluation: Evaluation
    catalogue: Catalogue
    portfolio_name: str
    jira_url: str
    tagging: Tagging = field(default_factory=Tagging)
    history: History = field(default_factory=History)
    jira_server_id: str | None = None  # set: Jira issue macros instead of plain links
    max_rows: int = MAX_TABLE_ROWS
    zone: tzinfo = UTC  # times of day are shown in this zone (settings: schedule.timezone)
    okr_changes: tuple[OkrChange, ...] = ()  # how the OKRs changed, day by day (oldest first)
    bands: PaceBands = field(default_factory=PaceBands)  # what "on track" means, for the legend

    # -- the zone times are shown in -------------------------------------------------------------
    @property
    def zone_name(self) -> str:
        return str(self.zone)

    def wall_time(self, moment: datetime | None) -> datetime | None:
        """An instant as the clock in `zone` shows it, without a zone (Excel keeps none: the
        column header names it)."""
        if moment is None:
            return None
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        return aware.astimezone(self.zone).replace(tzinfo=None)

    # -- time: the previous report and trends ----------------------------------------------------
    @cached_property
    def known_okr_ids(self) -> frozenset[str]:
        """Every id the catalogue has (objectives and key results), upper-cased."""
        return frozenset(self.catalogue.okr_ids())

    @cached_property
    def now(self) -> Snapshot:
        return current_snapshot(self.evaluation)

    @cached_property
    def previous(self) -> Snapshot | None:
        return self.history.previous(self.evaluation)

    def trend(self, okr_id: str) -> float | None:
        """Score change of an objective or key result since the previous report."""
        if self.previous is None:
            return None
        before = self.previous.objectives.get(okr_id) or self.previous.key_results.get(okr_id)
        after = self.now.objectives.get(okr_id) or self.now.key_results.get(okr_id)
        return None if before is None or after is None else after.score - before.score

    # -- check-ins and confidence ----------------------------------------------------------------
    def last_checkin(self, kr: KeyResult) -> CheckIn | None:
        """The latest check-in on or before the evaluation date."""
        done = [c for c in kr.checkins if c.on <= self.evaluation.as_of]
        return max(done, key=lambda c: c.on) if done else None

    def kr_confidence(self, kr: KeyResult) -> float | None:
        checkin = self.last_checkin(kr)
        if checkin is not None and checkin.confidence is not None:
            return checkin.confidence
        return kr.confidence

    def objective_confidence(self, op: ObjectiveProgress) -> float | None:
        """Weighted mean of the key results' confidence, over those that state one."""
        known = [
            (k.key_result.weight, c)
            for k in op.key_results
            if (c := self.kr_confidence(k.key_result)) is not None
        ]
        weight = sum(w for w, _ in known)
        return sum(w * c for w, c in known) / weight if weight else None

    # -- look-ups --------------------------------------------------------------------------------
    @cached_property
    def _team_findings(self) -> dict[str | None, list[Finding]]:
        by_team: dict[str | None, list[Finding]] = {}
        for f in self.evaluation.findings:
            team = f.team or (self.epics[f.subject].team if f.subject in self.epics else None)
            by_team.setdefault(team, []).append(f)
        return by_team

    def team_findings(self, team: str | None) -> tuple[Finding, ...]:
        return tuple(self._team_findings.get(team, ()))

    def objective_findings(self, op: ObjectiveProgress) -> tuple[Finding, ...]:
        """Findings about the objective itself or one of its key results."""
        ids = {op.objective.id.upper(), *(k.key_result.id.upper() for k in op.key_results)}
        return tuple(f for f in self.evaluation.findings if f.subject.upper() in ids)

    @cached_property
    def _team_epics(self) -> dict[str | None, list[EpicAlignment]]:
        by_team: dict[str | None, list[EpicAlignment]] = {}
        for e in self.evaluation.epics:
            by_team.setdefault(e.team, []).append(e)
        return by_team

    def team_epics(self, team: str | None) -> tuple[EpicAlignment, ...]:
        return tuple(self._team_epics.get(team, ()))

    @cached_property
    def epics(self) -> dict[str, EpicAlignment]:
        return {e.epic.key: e for e in self.evaluation.epics}

    @cached_property
    def key_results(self) -> dict[str, KeyResultProgress]:
        """Upper-cased key result id -> its progress (findings name key results by id)."""
        return {
            k.key_result.id.upper(): k for o in self.evaluation.objectives for k in o.key_results
        }

    @cached_property
    def objectives(self) -> dict[str, ObjectiveProgress]:
        return {o.objective.id: o for o in self.evaluation.objectives}

    @cached_property
    def _findings(self) -> dict[str, list[Finding]]:
        by_subject: dict[str, list[Finding]] = {}
        for f in self.evaluation.findings:
            by_subject.setdefault(f.subject, []).append(f)
        return by_subject

    def findings_for(self, subject: str) -> tuple[Finding, ...]:
        return tuple(self._findings.get(subject, ()))

    def team_name(self, team_id: str | None) -> str:
        return self.catalogue.team_name(team_id)

    def team_order(self, team_ids: Iterable[str | None]) -> list[str | None]:
        """Catalogue order first, then unknown teams by id, then "no team" last."""
        wanted = set(team_ids)
        known = [t.id for t in self.catalogue.teams if t.id in wanted]
        rest = sorted(t for t in wanted if t is not None and t not in known)
        return [*known, *rest, *([None] if None in wanted else [])]

    def example_kr_id(self) -> str:
        for op in self.evaluation.portfolio_objectives():
            if op.key_results:
                return op.key_results[0].key_result.id
        return "P1.KR1"

    def default_hint(self) -> str:
        tagging = self.tagging
        return (
            f"Add the label {tagging.label('<key result id>')} (for example "
            f"{tagging.label(self.example_kr_id())}) for the key result this epic serves, or "
            f"{tagging.exempt_label} for keep-the-lights-on work."
        )

    def why_unaligned(self, epic_key: str) -> tuple[list[str], list[str]]:
        """(reasons, hints) for an unaligned epic, from its findings; never empty."""
        found = self.findings_for(epic_key)
        rank = {code: i for i, code in enumerate(_REASON_ORDER)}
        # sorted() is stable: findings of the same rank keep the evaluation's order.
        ordered = sorted(found, key=lambda f: rank.get(f.code, len(rank)))
        reasons = _unique(f.message for f in ordered if f.message)
        hints = _unique(f.hint for f in ordered if f.hint)
        return (
            reasons or ["No claim on an outcome of this cycle."],
            hints or [self.default_hint()],
        )

    def score_text(self, op: ObjectiveProgress) -> str:
        """An objective's score; for one without key results, what its progress is instead."""
        return pct(op.score) if op.score is not None else self.progress_without_krs(op)

    def progress_without_krs(self, op: ObjectiveProgress) -> str:
        """E.g. "No key results: supports P1.KR1 at 74%; 2 epics (1 done), 3 of 5 child issues
        done": the outcomes it supports and the output of its epics, never a score of 0 %."""
        supported = [
            f"{c.okr_id} at {pct(score)}"
            if (score := self._scores.get(c.okr_id.upper())) is not None
            else c.okr_id
            for c in op.connections
            if c.state is not ApprovalState.REJECTED
        ]
        out = self.objective_output(op)
        work = (
            f"{plural(out.epics_total, 'epic')} ({out.epics_done} done)"
            if out.epics_total
            else "no epics yet"
        )
        if out.children_total:
            work += f", {out.children_done} of {out.children_total} child issues done"
        supports = f"supports {', '.join(supported)}; " if supported else ""
        return f"No key results: {supports}{work}"

    @cached_property
    def _scores(self) -> dict[str, float | None]:
        scores: dict[str, float | None] = {}
        for op in self.evaluation.objectives:
            scores[op.objective.id.upper()] = op.score
            for kr in op.key_results:
                scores[kr.key_result.id.upper()] = kr.score
        return scores

    def objective_output(self, op: ObjectiveProgress) -> Output:
        """The work behind an objective: each epic once, even when it claims several of its KRs."""
        keys = _unique([*op.epic_keys, *(k for kr in op.key_results for k in kr.epic_keys)])
        epics = [self.epics[k].epic for k in keys if k in self.epics]
        by_category: dict[StatusCategory, int] = {}
        for e in epics:
            by_category[e.status_category] = by_category.get(e.status_category, 0) + 1
        return Output(
            epics_total=len(epics),
            epics_by_category=by_category,
            children_total=sum(e.children.total for e in epics),
            children_done=sum(e.children.done for e in epics),
            points_total=sum(e.children.points_total for e in epics),
            points_done=sum(e.children.points_done for e in epics),
        )

    def okr_label(self, okr_id: str) -> str:
        """An OKR id with its title, e.g. "P1.KR1 Instant-payment success rate"."""
        for o in self.catalogue.objectives:
            if o.id.upper() == okr_id.upper():
                return f"{o.id} {o.title}"
            for kr in o.key_results:
                if kr.id.upper() == okr_id.upper():
                    return f"{kr.id} {kr.title}"
        return okr_id


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
