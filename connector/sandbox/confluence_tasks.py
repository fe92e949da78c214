"""Confluence tasks (``<ac:task>`` in a page's storage body) as Confluence keeps them.

Confluence reads the tasks out of every body it saves: each gets a page-local id (the
``<ac:task-id>``, numbered on save: sandbox/xhtml.py ``number_tasks``) and a site-wide id (v2's
``id``, the v1 inline task's ``globalId``). A task keeps both while it stays on the page; one
that leaves the body is gone. Its status follows the body: a save that turns it ``complete``
records who saved and when as who completed it, one that turns it back clears them.

Ticking a task in the page (``ConfluenceState.complete_task``) changes the status in the stored
body and records the person and the moment. On Cloud that is a page update made by that person
(Atlassian batches several quick ticks into one); the sandbox makes it a new page version by
that person unless told ``new_version=False``, to test a site where the body changes in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .xhtml import tasks_of


@dataclass
class TaskRecord:
    global_id: int
    page_id: str
    local_id: int
    status: str  # "complete" | "incomplete"
    body: str  # storage XHTML of the task's body
    created_by: str  # display names, as page versions name their authors
    created_at: datetime
    updated_at: datetime
    completed_by: str | None = None
    completed_at: datetime | None = None


@dataclass
class TaskBook:
    """Every page's tasks, by page id and then local id; global ids are counted site-wide."""

    pages: dict[str, dict[int, TaskRecord]] = field(default_factory=dict)
    next_id: int = 2000001

    def saved(self, page_id: str, body: str, author: str, when: datetime) -> None:
        """A new body was saved: follow its tasks (new ones get a global id)."""
        before = self.pages.get(page_id, {})
        after: dict[int, TaskRecord] = {}
        for task in tasks_of(body):
            record = before.get(task.local_id)
            if record is None:
                record = TaskRecord(
                    self.next_id,
                    page_id,
                    task.local_id,
                    "incomplete",
                    task.body,
                    author,
                    when,
                    when,
                )
                self.next_id += 1
            elif record.body != task.body:
                record.body, record.updated_at = task.body, when
            if task.status != record.status:
                self.set_status(record, task.status, author, when)
            after[task.local_id] = record
        self.pages[page_id] = after

    @staticmethod
    def set_status(record: TaskRecord, status: str, who: str, when: datetime) -> None:
        record.status, record.updated_at = status, when
        if status == "complete":
            record.completed_by, record.completed_at = who, when
        else:
            record.completed_by = record.completed_at = None

    def dropped(self, page_id: str) -> None:
        self.pages.pop(page_id, None)

    def of_page(self, page_id: str) -> list[TaskRecord]:
        return sorted(self.pages.get(page_id, {}).values(), key=lambda t: t.local_id)

    def all(self) -> list[TaskRecord]:
        return sorted(
            (t for tasks in self.pages.values() for t in tasks.values()), key=lambda t: t.global_id
        )

    def by_global_id(self, global_id: int) -> TaskRecord | None:
        return next((t for t in self.all() if t.global_id == global_id), None)

    def find(self, page_id: str, task_id: int) -> TaskRecord | None:
        """A task of the page by its local id or, failing that, its global id."""
        tasks = self.pages.get(page_id, {})
        if task_id in tasks:
            return tasks[task_id]
        return next((t for t in tasks.values() if t.global_id == task_id), None)
