"""A stateful Jira Cloud + Confluence emulator on loopback, for tests, benchmarks and the demo.

    from connector.sandbox import Sandbox, load_dataset
    with Sandbox(load_dataset("demo.yaml")) as sb:
        ...  # Jira at sb.jira_url, Confluence at sb.confluence_url

See DESIGN.md ("Sandbox") for what it emulates and why.
"""

from .checker import DatasetError
from .dataset import load_dataset
from .faults import Faults, Transit
from .sandbox import Sandbox
from .server import RequestRecord

__all__ = ["DatasetError", "Faults", "RequestRecord", "Sandbox", "Transit", "load_dataset"]
