"""What the distribution installs: the four code packages and nothing else at the top level.

`config/` stays in the repository, where people look for the examples; it is installed as data of
the package that reads it (`service.config`, mapped in setup.py), so installing Outcomes puts no
package named `config` on anyone's `sys.path`. CI installs the project afresh before the tests, so
the installed metadata below is this tree's.
"""

from __future__ import annotations

from importlib import metadata, resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_distribution_has_only_the_code_packages_at_the_top() -> None:
    top_level = metadata.distribution("outcomes").read_text("top_level.txt") or ""
    assert sorted(top_level.split()) == ["connector", "reports", "rules", "service"]


def test_the_config_folder_ships_as_service_data() -> None:
    shipped = {
        "examples/outcomes.yaml": resources.files("service.config.examples") / "outcomes.yaml",
        "examples/okrs.yaml": resources.files("service.config.examples") / "okrs.yaml",
        "demo/portfolio.yaml": resources.files("service.config") / "demo" / "portfolio.yaml",
    }
    for name, data in shipped.items():
        assert data.read_bytes() == (ROOT / "config" / name).read_bytes(), name
