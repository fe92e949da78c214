"""Hostile text from Jira and the catalogue, through the real pipeline into the sandbox: read back
the pages Confluence STORED and prove every such string is one text node, exactly as written, and
that no element or macro came from it (the stored pages have the very same element structure as a
run with harmless text)."""

from __future__ import annotations

import copy
from typing import Any
from xml.etree.ElementTree import Element

import pytest
from defusedxml.ElementTree import fromstring

from connector.sandbox import Sandbox
from tests.connector.publish_setup import AS_OF, dataset, outcomes, write_settings
from tests.e2e.conftest import CATALOGUE

HOSTILE = {
    "PAY-1": "<script>alert(1)</script>",  # aligned: on its objective's and team's pages
    "PAY-4": "]]>",  # unaligned: on the unaligned and team pages
    "PAY-6": '<ac:structured-macro ac:name="html"><ac:plain-text-body>x</ac:plain-text-body>',
    "MOB-2": "&amp; &lt;b&gt; &#x3C;",
}
HOSTILE_OWNER = '<a href="javascript:alert(1)">Marco</a>'
HOSTILE_KR = "Accounts <img src=x onerror=alert(1)> opened"
HARMLESS = {key: f"Plain summary {i}" for i, key in enumerate(HOSTILE)}

NS = 'xmlns:ac="http://atlassian.com/content" xmlns:ri="http://atlassian.com/resource/identifier"'
MACRO_ID = "{http://atlassian.com/content}macro-id"


def catalogue(owner: str, kr_title: str) -> dict[str, Any]:
    data = copy.deepcopy(CATALOGUE)
    p2 = next(o for o in data["objectives"] if o["id"] == "P2")
    p2["owner"] = owner
    p2["key_results"][0]["title"] = kr_title
    return data


def publish_all(
    tmp_path: Any, summaries: dict[str, str], owner: str, kr: str, api: str
) -> dict[str, Element]:
    """Run the whole pipeline; the stored pages by title, parsed as Confluence parses them."""
    with Sandbox(dataset(**summaries)) as sandbox:
        config = write_settings(tmp_path, sandbox.url, catalogue=catalogue(owner, kr), api=api)
        code, output = outcomes("run", "--config", str(config), "--as-of", AS_OF, "--no-export")
        assert code == 0, output
        stored = sandbox.confluence.pages()
    # Each run has its own sandbox port: links to Jira differ by that alone.
    bodies = {str(p["title"]): str(p["body"]).replace(sandbox.url, "JIRA") for p in stored}
    return {title: fromstring(f"<root {NS}>{body}</root>") for title, body in bodies.items()}


def texts(root: Element) -> list[str]:
    found = []
    for el in root.iter():
        found += [t for t in (el.text, el.tail) if t]
    return found


def structure(root: Element) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """Every element in order with its attributes: what markup a page is made of (but for the
    ids Confluence gives macros anew on each save)."""
    return [
        (el.tag, tuple(sorted((k, v) for k, v in el.attrib.items() if k != MACRO_ID)))
        for el in root.iter()
    ]


@pytest.mark.e2e
@pytest.mark.parametrize("api", ["v1", "v2"])
def test_hostile_text_is_stored_as_text_and_makes_no_markup(tmp_path: Any, api: str) -> None:
    (tmp_path / "hostile").mkdir()
    (tmp_path / "harmless").mkdir()
    hostile = publish_all(tmp_path / "hostile", HOSTILE, HOSTILE_OWNER, HOSTILE_KR, api)
    harmless = publish_all(tmp_path / "harmless", HARMLESS, "Marco", "Accounts opened", api)

    every_text = [t for root in hostile.values() for t in texts(root)]
    for summary in HOSTILE.values():
        assert summary in every_text, summary  # a text node with exactly the original string
    assert HOSTILE_OWNER in every_text
    assert any(HOSTILE_KR in t for t in every_text)

    assert sorted(hostile) == sorted(harmless)
    for title, root in hostile.items():
        assert structure(root) == structure(harmless[title]), title
        assert not [
            el
            for el in root.iter()
            if el.tag in ("script", "img", "a") and "javascript" in str(el.attrib)
        ]
    unaligned = hostile["Retail banking — Work not tied to an outcome"]
    cells = [td for td in unaligned.iter("td") if td.text == HOSTILE["PAY-4"]]
    assert len(cells) == 1 and len(cells[0]) == 0
