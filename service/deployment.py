"""One settings file is one deployment: `Deployment` owns its loaded settings, its store, the
pipeline lock and the run record, and runs stages (service/stages.py) by name.

Every way of starting work goes through `Deployment.run`: `outcomes run` (the stages in sequence,
one run record), the single-stage commands (`sync`, `check`, `publish`, `export`, `review`) and the
scheduler's jobs (service/jobs.py). So a stage does the same however it is started, and every
failure — an Outcomes error, any other exception, Ctrl-C — is recorded here, in one place, with one
safe line (`safe_message`).

    with Deployment(load_settings(path)) as deployment:  # the store opens when first used
        record = deployment.run(["publish"], now=now, as_of=day)  # LockHeld (exit 4) if held

A one-shot run checks what it can before any I/O (the catalogue, secrets) and that the store was
synced, and says so at once without recording a run; a scheduled run leaves those checks to its
stages, so what they find is recorded for `outcomes status`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from connector.store import lock_guard, runs
from connector.store.db import open_store
from connector.store.issues import sync_cursor
from connector.store.lock import run_lock
from rules.errors import OutcomesError, UserError
from rules.model import Catalogue
from service import pipeline
from service.settings import LoadedSettings
from service.stages import STAGES, Progress, Stage, StageContext, StageOptions, StageResult
from service.terminal import one_line

log = logging.getLogger(__name__)
PIPELINE = ("sync", "check", "publish", "export")  # `outcomes run`, in this order
PUBLISHING = ("publish", "review")


def safe_message(exc: BaseException) -> str:
    """One secret-free line about a failure: our errors say what to do; anything else is named by
    its type only, since its text may carry request details (and so secrets)."""
    if isinstance(exc, OutcomesError):
        return one_line(str(exc))
    if not isinstance(exc, Exception):  # Ctrl-C, or the process was asked to exit
        return f"interrupted ({type(exc).__name__})"
    if isinstance(exc, DBAPIError):
        return f"store error ({type(exc.orig).__name__})"
    return f"internal error ({type(exc).__name__}); run with --debug for details"


@dataclass
class RunRecord:
    """One recorded run as it goes: the stages' results, counts and messages, then its outcome."""

    run_id: int
    holder: str | None  # None: recorded without the lock
    command: str
    outcome: str = runs.DONE
    counts: dict[str, int] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    stages: dict[str, StageResult] = field(default_factory=dict)

    @property
    def message(self) -> str | None:
        return "; ".join(self.messages) or None

    @property
    def exit_code(self) -> int:
        """0 done; 1 done with failures to report (a page or a workbook)."""
        return 0 if self.outcome == runs.DONE else 1

    def add(self, name: str, result: StageResult) -> None:
        self.stages[name] = result
        self.counts.update(result.counts)
        if result.message:
            self.messages.append(result.message)
        if result.outcome == runs.FAILED or self.outcome == runs.DONE:
            self.outcome = result.outcome

    def fail(self, exc: BaseException) -> None:
        self.outcome = runs.FAILED
        self.messages = [safe_message(exc)]


class Deployment:
    """The application: one deployment's settings, store, lock and run records.

    A context manager: the store opens on first use and is disposed once, on exit. Given an
    `engine`, it uses that one and leaves disposing it to its owner."""

    def __init__(
        self,
        loaded: LoadedSettings,
        *,
        engine: Engine | None = None,
        stages: Mapping[str, Stage] = STAGES,
    ) -> None:
        self.loaded = loaded
        self.stages = stages
        self._engine = engine
        self._owns_engine = engine is None
        self._closed = False

    @property
    def engine(self) -> Engine:
        if self._closed:
            raise RuntimeError("this deployment's store was closed")
        if self._engine is None:
            self._engine = open_store(self.loaded.store_url())
        return self._engine

    def __enter__(self) -> Deployment:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_engine and self._engine is not None:
            self._engine.dispose()
        self._engine = None
        self._closed = True

    # -- before a run -----------------------------------------------------------------------------
    def pipeline_stages(self, *, publish: bool = True, export: bool = True) -> list[str]:
        """`outcomes run`'s stages: publishing only where there is a Confluence to publish to."""
        confluence = self.loaded.settings.confluence is not None
        wanted = {"sync": True, "check": True, "publish": publish and confluence, "export": export}
        return [name for name in PIPELINE if wanted[name]]

    def prepare(
        self, names: Sequence[str], *, as_of: date | None = None, preview: bool = False
    ) -> Catalogue | None:
        """The checks a one-shot run makes before it records anything: the settings the stages
        need, the catalogue (with `as_of`, a date the user asked for, inside a cycle) and the
        secrets before any I/O; then, unless it syncs first, that the store was synced.
        `preview`: a dry run, which needs no Confluence."""
        settings = self.loaded.settings
        publishes = not preview and any(name in PUBLISHING for name in names)
        if publishes and settings.confluence is None:
            raise UserError(
                f"{self.loaded.path}: confluence: not configured; add a confluence section"
            )
        evaluates = any(name != "sync" for name in names)
        catalogue = self.catalogue(as_of=as_of) if evaluates else None
        if "sync" in names:
            settings.jira.auth.require()
        if publishes and settings.confluence is not None:
            settings.confluence.auth.require()
        if names[0] != "sync":
            self.require_synced(names[0])
        return catalogue

    def catalogue(self, *, as_of: date | None = None) -> Catalogue:
        """The catalogue, checked; a catalogue kept in files alone is read before the store is
        opened (bad input leaves no store behind), one with OKRs from Jira reads them from it."""
        from_jira = self.loaded.settings.catalogue.jira is not None
        return pipeline.load_catalogue(self.loaded, self.engine if from_jira else None, as_of=as_of)

    def require_synced(self, stage: str) -> None:
        """A stage that reads the store needs a sync first: say which portfolio has none."""
        with Session(self.engine) as session:
            for i, portfolio in enumerate(self.loaded.settings.portfolios):
                if sync_cursor(session, portfolio.id) is None:
                    raise UserError(
                        f"{self.loaded.path}: portfolios[{i}].id: {portfolio.id!r} has not been"
                        f" synced yet; run `outcomes sync` first ({stage} reads the store,"
                        " not Jira)"
                    )

    def evaluate(
        self, stage: str, *, as_of: date, asked: bool = False, pages: bool = True
    ) -> list[pipeline.PortfolioResult]:
        """A dry run's evaluation: checked as a run of `stage` would be, recorded nowhere."""
        catalogue = self.prepare([stage], as_of=as_of if asked else None, preview=True)
        assert catalogue is not None
        return pipeline.evaluate_all(self.loaded, self.engine, catalogue, as_of=as_of, pages=pages)

    # -- a run ------------------------------------------------------------------------------------
    def run(
        self,
        names: Sequence[str],
        *,
        now: datetime,
        as_of: date,
        asked: bool = False,
        options: StageOptions | None = None,
        progress: Progress = log.info,
        on_result: Callable[[str, StageResult], None] | None = None,
    ) -> RunRecord:
        """A one-shot run of the stages in order, as one record (named after the stage, or `run`
        for several), under the pipeline lock (LockHeld, exit 4, when another run holds it). A
        failure of any kind is recorded `failed` with a safe line and raised again.

        What is wrong before anything runs (settings, catalogue, `asked`: the user's `as_of` in no
        cycle, secrets, no sync yet) is raised at once, for the person who started it, and not
        recorded."""
        options = options or StageOptions()
        catalogue = self.prepare(names, as_of=as_of if asked else None)
        record = self._run(
            names, now, as_of, "cli", None, options, progress, catalogue, None, on_result
        )
        assert record is not None  # no fire time: it cannot have run already
        return record

    def fire(
        self,
        name: str,
        *,
        now: datetime,
        as_of: date,
        trigger: str = "schedule",
        scheduled_for: datetime | None = None,
        progress: Progress = log.info,
        on_start: Callable[[RunRecord], None] | None = None,
    ) -> RunRecord | None:
        """The scheduler's run of one stage: as `run`, but what a stage finds wrong is recorded
        (nobody is there to read it), and None when `scheduled_for` already ran (or another
        process recorded it a moment ago)."""
        return self._run(
            [name], now, as_of, trigger, scheduled_for, StageOptions(), progress, None, on_start
        )

    def _run(
        self,
        names: Sequence[str],
        now: datetime,
        as_of: date,
        trigger: str,
        scheduled_for: datetime | None,
        options: StageOptions,
        progress: Progress,
        catalogue: Catalogue | None,
        on_start: Callable[[RunRecord], None] | None = None,
        on_result: Callable[[str, StageResult], None] | None = None,
    ) -> RunRecord | None:
        command = names[0] if len(names) == 1 else "run"
        # A read-only check neither waits for nor blocks a sync: it sees the last commit.
        locked = not (options.read_only and list(names) == ["check"])
        with self._recorded(command, now, trigger, scheduled_for, locked) as record:
            if record is None:
                return None
            if on_start is not None:
                on_start(record)
            ctx = StageContext(
                self.loaded,
                self.engine,
                now,
                as_of,
                record.run_id,
                progress,
                catalogue,
                options,
                pages="publish" in names,
            )
            for name in names:
                result = self.stages[name](ctx)
                record.add(name, result)
                if on_result is not None:
                    on_result(name, result)
        return record

    @contextmanager
    def _recorded(
        self,
        command: str,
        now: datetime,
        trigger: str,
        scheduled_for: datetime | None,
        locked: bool,
    ) -> Iterator[RunRecord | None]:
        """The run's record, under the lock: closed as the block left it, or `failed` with a safe
        line whatever went wrong. No run is left `running`.

        Unlocked (a read-only check), the record has no holder, so no lock holder closes it as
        abandoned while it runs (a killed process leaves it `running`)."""
        engine, when = self.engine, scheduled_for
        with run_lock(engine, now=now) if locked else nullcontext(None) as holder:
            if when is not None and self._already_ran(command, when):
                yield None
                return
            try:
                with Session(engine) as session, session.begin():
                    run_id = runs.start(
                        session, command, now, trigger=trigger, holder=holder, scheduled_for=when
                    ).id
            except IntegrityError:  # another process recorded this fire time a moment ago
                if when is None:
                    raise
                yield None
                return
            record = RunRecord(run_id, holder, command)
            try:
                yield record
            except BaseException as exc:
                record.fail(exc)
                try:
                    self._finish(record)
                except Exception as also:  # the store failed too: the next lock holder closes it
                    log.error("run %s: cannot record its failure: %s", run_id, safe_message(also))
                raise
            self._finish(record)

    def _already_ran(self, command: str, scheduled_for: datetime) -> bool:
        with Session(self.engine) as session:
            earlier = runs.fired(session, command, scheduled_for)
        if earlier is not None:
            log.info(
                "job %s: the run for %s already happened (run %s, %s); not run again",
                command, scheduled_for.isoformat(), earlier.id, earlier.outcome,
                extra={"event": "job_already_ran", "job": command, "run_id": earlier.id},
            )  # fmt: skip
        return earlier is not None

    def _finish(self, record: RunRecord) -> None:
        # Unguarded: a run that lost its lock still closes its own record (only while `running`).
        with lock_guard.unguarded(), Session(self.engine) as session, session.begin():
            runs.finish(
                session,
                record.run_id,
                record.outcome,
                datetime.now(UTC),
                record.message,
                record.counts,
            )
