"""What a run keeps of an evaluation (a snapshot), as typed values, and its one codec.

`snapshot_of` takes the figures worth keeping for trends from an evaluation: scores, statuses,
measurements, findings and alignment. `encode` turns a snapshot into the plain JSON values the store
keeps (and `outcomes check --json` prints); `decode` reads them back, and every reader of a stored
snapshot goes through it. Snapshots written by older versions stay readable: a missing key takes its
default, unknown keys are ignored, and an entry that is not a mapping is skipped.

The codec is pure (plain values in, plain values out) and sits here, below the store, the reports
and the service, because all three read snapshots back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, TypeAdapter, ValidationError

from rules.results import AlignmentShare, Evaluation, KeyResultProgress, ObjectiveProgress

DIGITS = 4  # scores and forecasts are kept rounded: enough for a chart, stable across runs


def _mapping_of_mappings(value: object) -> object:
    """A table of entries by id; entries that are not mappings (or no table at all) are dropped."""
    if not isinstance(value, Mapping):
        return {}
    return {key: entry for key, entry in value.items() if isinstance(entry, Mapping)}


def _list_of_mappings(value: object) -> object:
    """A list of entries; entries that are not mappings (or no list at all) are dropped."""
    if not isinstance(value, list | tuple):
        return ()
    return tuple(entry for entry in value if isinstance(entry, Mapping))


@dataclass(frozen=True)
class StoredKeyResult:
    score: float | None = None  # None: an older snapshot kept none
    status: str = ""
    current: float | None = None
    confidence: float | None = None
    last_checkin: date | None = None
    owner: str | None = None
    forecast: float | None = None
    forecast_score: float | None = None
    team_forecast: float | None = None


@dataclass(frozen=True)
class StoredObjective:
    score: float | None = None  # None: no key results, so no score
    expected: float | None = None
    status: str = ""
    forecast_score: float | None = None
    key_results: Annotated[Mapping[str, StoredKeyResult], BeforeValidator(_mapping_of_mappings)] = (
        field(default_factory=dict)
    )


@dataclass(frozen=True)
class StoredFinding:
    code: str = ""
    severity: str = ""
    subject: str = ""
    team: str | None = None


@dataclass(frozen=True)
class StoredSnapshot:
    objectives: Annotated[Mapping[str, StoredObjective], BeforeValidator(_mapping_of_mappings)] = (
        field(default_factory=dict)
    )
    findings: Annotated[tuple[StoredFinding, ...], BeforeValidator(_list_of_mappings)] = ()
    awaiting_approval: int = 0
    alignment: Annotated[tuple[AlignmentShare, ...], BeforeValidator(_list_of_mappings)] = ()

    def portfolio_alignment(self) -> AlignmentShare | None:
        """The whole portfolio's alignment (the entry without a team), if kept."""
        return next((a for a in self.alignment if a.team is None), None)


_CODEC: TypeAdapter[StoredSnapshot] = TypeAdapter(StoredSnapshot)


def encode(snapshot: StoredSnapshot) -> dict[str, Any]:
    """The snapshot as plain JSON values (dates as ISO strings), as the store keeps it."""
    encoded: dict[str, Any] = _CODEC.dump_python(snapshot, mode="json")
    return encoded


def decode(data: Mapping[str, Any] | None) -> StoredSnapshot:
    """A stored snapshot read back, whichever version wrote it (see the module's docstring).
    A value no version wrote (a score that is not a number) is a ValueError."""
    try:
        return _CODEC.validate_python(dict(data or {}))
    except ValidationError as exc:
        raise ValueError(f"a stored snapshot no version of Outcomes wrote: {exc}") from None


def decode_objectives(data: object) -> Mapping[str, StoredObjective]:
    """Only the `objectives` part of a stored snapshot (the store reads just that part of a large
    snapshot where it needs no more)."""
    return decode({"objectives": data}).objectives


def decode_findings(data: object) -> tuple[StoredFinding, ...]:
    """Only the `findings` part of a stored snapshot (what `check` and the health endpoint need,
    whatever the rest holds)."""
    return decode({"findings": data}).findings


def snapshot_of(evaluation: Evaluation) -> StoredSnapshot:
    """The figures of an evaluation worth keeping for trends."""
    return StoredSnapshot(
        objectives={o.objective.id: _objective(o) for o in evaluation.objectives},
        findings=tuple(
            StoredFinding(f.code, f.severity.value, f.subject, f.team) for f in evaluation.findings
        ),
        awaiting_approval=len(evaluation.awaiting_approval()),
        alignment=evaluation.alignment,
    )


def _objective(progress: ObjectiveProgress) -> StoredObjective:
    return StoredObjective(
        score=_rounded(progress.score),
        expected=_rounded(progress.expected),
        status=progress.status.value,
        forecast_score=_rounded(progress.forecast_score),
        key_results={k.key_result.id: _key_result(k) for k in progress.key_results},
    )


def _key_result(progress: KeyResultProgress) -> StoredKeyResult:
    """A key result's score and measurement (trends of values and confidence)."""
    kr, last = progress.key_result, progress.last_checkin
    found, team = progress.forecast, progress.team_forecast
    return StoredKeyResult(
        score=_rounded(progress.score),
        status=progress.status.value,
        current=kr.current,
        confidence=kr.confidence,
        last_checkin=last.on if last else None,
        owner=kr.owner,
        forecast=_rounded(found.value if found else None),
        forecast_score=_rounded(found.score if found else None),
        team_forecast=team.value if team else None,
    )


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DIGITS)
