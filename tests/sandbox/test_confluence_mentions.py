"""Mentions: Confluence notifies a user when a saved version newly mentions them."""

from __future__ import annotations

from atlassian import Confluence

from connector.sandbox import Sandbox
from connector.sandbox.confluence_model import Notification

from .test_confluence_http import put, root_id

ANA = '<ac:link><ri:user ri:account-id="557058:0a1b2c3d-0000-4000-8000-00000000000a"/></ac:link>'
ANA_ID = "557058:0a1b2c3d-0000-4000-8000-00000000000a"
BEN = '<ac:link><ri:user ri:account-id="5b10ac8d82e05b22cc7d4ef5" /></ac:link>'


def test_a_mention_notifies_once_when_it_first_appears(
    sandbox: Sandbox, confluence: Confluence
) -> None:
    created = confluence.create_page(
        "PORT", "Team Payments", f"<p>Stale: {ANA}</p>", parent_id=root_id(confluence)
    )
    page_id = str(created["id"])
    assert sandbox.confluence.notifications == [Notification(ANA_ID, page_id, 1)]
    put(confluence, page_id, 2, f"<p>Still stale: {ANA}</p>")  # still mentioned: nobody hears
    put(confluence, page_id, 3, f"<p>Still stale: {ANA} and {BEN}</p>")  # Ben is new
    put(confluence, page_id, 4, "<p>Fixed</p>")
    put(confluence, page_id, 5, f"<p>Stale again: {ANA}</p>")  # mentioned anew: notified again
    assert sandbox.confluence.notifications == [
        Notification(ANA_ID, page_id, 1),
        Notification("5b10ac8d82e05b22cc7d4ef5", page_id, 3),
        Notification(ANA_ID, page_id, 5),
    ]
