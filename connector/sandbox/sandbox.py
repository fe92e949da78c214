"""The Sandbox: one loopback HTTP server with Jira at the root and Confluence under /wiki."""

from __future__ import annotations

import gc
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from .confluence_api import ConfluenceApi
from .confluence_attachments import AttachmentApi
from .confluence_model import ConfluenceState
from .confluence_task_api import TaskApi
from .confluence_v2 import ConfluenceV2Api
from .dataset import parse_dataset
from .faults import Faults
from .jira_api import JiraApi
from .jira_changelog import ChangelogApi
from .jira_edit import IssueEditApi
from .jira_groups import GroupApi
from .jira_model import JiraState
from .server import CONFLUENCE_PREFIX, App, RequestRecord, SandboxHTTPServer

# From this many issues on, loading leaves the garbage collector a full pass due that would
# otherwise land in some request (about 150 ms at 100,000 issues): it is taken at load instead.
LARGE_DATASET = 10_000


class Sandbox:
    """A stateful Jira Cloud + Confluence emulator seeded from a dataset mapping.

    ``start()`` serves on a background thread and returns the base URL; ``serve_forever()``
    serves on the calling thread (for the CLI). State lives in memory and is shared by both.
    """

    def __init__(
        self,
        data: Mapping[str, Any],
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        source: str = "<dataset>",
    ) -> None:
        ds = parse_dataset(data, source)
        self.host = host
        self.port = port
        lock = threading.RLock()  # shared: test-side changes and requests take turns
        self.jira = JiraState(ds, source, lock)
        self.confluence = ConfluenceState(ds, lock)
        self.faults = Faults()
        routes = (
            JiraApi(self.jira, self.faults).routes()
            + ChangelogApi(self.jira, self.faults).routes()
            + GroupApi(self.jira, self.faults).routes()
            + IssueEditApi(self.jira).routes()
            + ConfluenceApi(self.confluence, self.faults).routes()
            + ConfluenceV2Api(self.confluence, self.faults).routes()
            + AttachmentApi(self.confluence).routes()
            + TaskApi(self.confluence, self.faults).routes()
        )
        jira = self.jira
        self._app = App(routes, ds.credentials, self.faults, lock, lambda: jira.version)
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None
        if len(ds.issues) >= LARGE_DATASET:
            gc.collect()

    # -- life cycle ------------------------------------------------------------------------------
    def _bind(self) -> SandboxHTTPServer:
        if self._server is None:
            self._server = SandboxHTTPServer((self.host, self.port), self._app)
            port = self._server.server_address[1]
            self._app.base_url = f"http://{self.host}:{port}"
        return self._server

    def start(self) -> str:
        """Serve on a background thread; return the base URL (Jira's URL)."""
        if self._thread is not None:
            raise RuntimeError("the sandbox is already running")
        server = self._bind()
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="outcomes-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self.url

    def serve_forever(self) -> None:
        """Serve on the calling thread until ``stop()`` is called from elsewhere (or Ctrl-C)."""
        server = self._bind()
        try:
            server.serve_forever(poll_interval=0.2)
        finally:
            server.server_close()
            self._server = None

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        if thread is not None:
            thread.join()
            server.server_close()
            self._server = None
        self._thread = None

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if not self._app.base_url:
            raise RuntimeError("the sandbox has not been started")
        return self._app.base_url

    @property
    def jira_url(self) -> str:
        return self.url

    @property
    def confluence_url(self) -> str:
        return self.url + CONFLUENCE_PREFIX

    # -- request log -----------------------------------------------------------------------------
    @property
    def requests(self) -> list[RequestRecord]:
        """Every request answered so far: (method, path, query, status)."""
        return self._app.records()

    def reset_requests(self) -> None:
        self._app.reset_records()

    # -- the sandbox's own time ------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Requests answered, the seconds spent on them (without added latency), the time per
        request in ms and how many answers came from the cache of answers."""
        return self._app.stats.as_dict()

    def reset_stats(self) -> None:
        self._app.reset_stats()
