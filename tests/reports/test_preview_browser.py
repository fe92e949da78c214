"""The HTML preview in a real browser: headless Chromium lays the overview out, and a small probe
script reads back what it computed: the objectives table, and the colours of the lozenges."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reports.confluence import render_pages
from reports.preview import render_preview
from tests.reports.confluence_data import HISTORY, RICH
from tests.reports.sample import CATALOGUE, JIRA, PORTFOLIO

PROBE = """
<script>
const lozenges = [...document.querySelectorAll('.lozenge')].map(el => {
  const style = getComputedStyle(el);
  return [el.textContent, style.backgroundColor, style.color, el.getBoundingClientRect().width];
});
const table = document.querySelector('table');
const cells = row => [...row.children].map(c => c.textContent.trim());
const result = {
  lozenges,
  firstTable: table ? [...table.querySelectorAll('tr')].map(cells) : [],
  firstHeading: document.querySelector('h2').textContent,
};
const out = document.createElement('pre');
out.id = 'probe';
out.textContent = JSON.stringify(result);
document.body.appendChild(out);
</script>
"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Chromium for the preview test (.ci/run installs it)")
        pytest.skip("Chromium is not installed")
    return found


def probe(browser: str, page: Path) -> dict[str, list[object]]:
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    text = found.group(1).replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
    result: dict[str, list[object]] = json.loads(text.replace("&amp;", "&"))
    return result


@pytest.fixture(scope="module")
def overview(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pages = render_pages(RICH, CATALOGUE, portfolio_name=PORTFOLIO, jira_url=JIRA, history=HISTORY)
    folder = tmp_path_factory.mktemp("preview")
    for name, html in render_preview(pages, generated_at="2026-11-24 07:00").items():
        (folder / name).write_text(html, encoding="utf-8")
    probed = folder / "overview-probed.html"
    html = (folder / "overview.html").read_text(encoding="utf-8")
    probed.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    return probed


@pytest.mark.e2e
def test_the_overview_leads_with_its_objectives_table(overview: Path) -> None:
    result = probe(chromium(), overview)
    assert result["firstHeading"] == "Portfolio objectives"
    table = result["firstTable"]
    assert table[0][:5] == ["Objective", "Owner", "Score", "Expected", "Status"]
    assert [row[0] for row in table[1:]] == [  # type: ignore[index]
        "P1 Make everyday payments effortless",
        "P2 Open accounts in minutes",
    ]
    assert [row[4] for row in table[1:]] == ["ON TRACK", "OFF TRACK"]  # type: ignore[index]


@pytest.mark.e2e
def test_status_lozenges_are_coloured_by_status(overview: Path) -> None:
    lozenges = probe(chromium(), overview)["lozenges"]
    colours = {(text, bg, fg) for text, bg, fg, _ in lozenges}  # type: ignore[misc]
    # Confluence's palette: green, yellow and red backgrounds with dark text of the same hue.
    assert ("ON TRACK", "rgb(227, 252, 239)", "rgb(0, 102, 68)") in colours
    assert ("AT RISK", "rgb(255, 250, 230)", "rgb(151, 79, 12)") in colours
    assert ("OFF TRACK", "rgb(255, 235, 230)", "rgb(191, 38, 0)") in colours
    assert ("NEEDS FIXING", "rgb(255, 235, 230)", "rgb(191, 38, 0)") in colours
    # Laid out as lozenges: a box that hugs its word, not a full-width block.
    assert all(0 < width < 200 for *_, width in lozenges)  # type: ignore[operator]
