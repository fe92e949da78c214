"""The canonical form of a storage-format body: equal for what Confluence rewrites on save,
different for what a person changes. Pairs written by hand, as Confluence stores them."""

from __future__ import annotations

import hashlib
from html import escape

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connector.storage_form import (
    canonical_hash,
    hash_without_task_statuses,
    legacy_hash,
    plain_text,
    same_body,
)

SAME = [
    ("<p>Priya&#x27;s plan</p>", "<p>Priya's plan</p>"),
    ("<p>Priya&#39;s &quot;plan&quot;</p>", '<p>Priya\'s "plan"</p>'),
    ("<p>caf&eacute;&nbsp;&mdash;</p>", "<p>caf\u00e9&nbsp;\u2014</p>"),
    ("<p>a&#160;b</p>", "<p>a&nbsp;b</p>"),
    ("<p>a<br/>b</p>", "<p>a<br />b</p>"),
    ("<p></p><td></td>", "<p /><td />"),
    ("<a title='t' href=\"h\">x</a>", '<a href="h" title="t">x</a>'),
    (
        '<ac:structured-macro ac:name="toc"><ac:parameter ac:name="maxLevel">2</ac:parameter>'
        "</ac:structured-macro>",
        '<ac:structured-macro ac:macro-id="0b1f5b9e-3a1e-4f7e-9d0e-2f54c1a0e001" ac:name="toc"'
        ' ac:schema-version="1"><ac:parameter ac:name="maxLevel">2</ac:parameter>'
        "</ac:structured-macro>",
    ),
    (
        "<ul>\n  <li>one</li>\n  <li>two  words</li>\n</ul>",
        "<ul><li>one</li><li>two words</li></ul>",
    ),
    (
        "<ac:plain-text-body>a &lt;b&gt;</ac:plain-text-body>",
        "<ac:plain-text-body><![CDATA[a <b>]]></ac:plain-text-body>",
    ),
    ("<p>x<!-- a note -->y</p>", "<p>xy</p>"),
    (  # Confluence numbers tasks on save (and Cloud's editor gives them a uuid)
        "<ac:task-list><ac:task><ac:task-status>incomplete</ac:task-status>"
        "<ac:task-body>Approve PAY-1</ac:task-body></ac:task></ac:task-list>",
        "<ac:task-list><ac:task><ac:task-id>3</ac:task-id><ac:task-uuid>7f0c</ac:task-uuid>"
        "<ac:task-status>incomplete</ac:task-status>"
        "<ac:task-body>Approve PAY-1</ac:task-body></ac:task></ac:task-list>",
    ),
]

DIFFERENT = [
    ("<p>Priya's plan</p>", "<p>Priya's plans</p>"),  # a word
    ("<p>a</p><p>b</p>", "<p>a</p>"),  # a paragraph removed
    ("<p><strong>a</strong></p>", "<p><em>a</em></p>"),  # markup
    ('<a href="h1">x</a>', '<a href="h2">x</a>'),  # an attribute
    ('<ac:structured-macro ac:name="info" />', '<ac:structured-macro ac:name="note" />'),
    ("<p>a b</p>", "<p>a&nbsp;b</p>"),  # a no-break space is content, not white space
    (  # a tick
        "<ac:task><ac:task-status>incomplete</ac:task-status><ac:task-body>a</ac:task-body>"
        "</ac:task>",
        "<ac:task><ac:task-status>complete</ac:task-status><ac:task-body>a</ac:task-body>"
        "</ac:task>",
    ),
]

TICK = "<ac:task><ac:task-id>{n}</ac:task-id><ac:task-status>{s}</ac:task-status>"
TICK += "<ac:task-body>{text}</ac:task-body></ac:task>"


def task_page(rows: list[tuple[str, str]], intro: str = "Decide below.") -> str:
    tasks = "".join(TICK.format(n=n, s=s, text=t) for n, (s, t) in enumerate(rows, start=1))
    return f"<p>{intro}</p><ac:task-list>{tasks}</ac:task-list>"


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["complete", "incomplete"]),
            st.sampled_from(["complete", "incomplete"]),
            st.text(alphabet="abc <>&é", max_size=8),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_ticks_change_the_body_but_not_its_hash_without_statuses(
    rows: list[tuple[str, str, str]],
) -> None:
    before = task_page([(old, escape(text)) for old, _new, text in rows])
    after = task_page([(new, escape(text)) for _old, new, text in rows])
    assert hash_without_task_statuses(before) == hash_without_task_statuses(after)
    assert same_body(before, after) == all(old == new for old, new, _text in rows)


@pytest.mark.parametrize(
    "edited",
    [
        task_page([("complete", "Approve PAY-1")], intro="Decide below, please."),  # the text
        task_page([("complete", "Approve PAY-2")]),  # a task's own words
        task_page([("complete", "Approve PAY-1"), ("incomplete", "Reject PAY-1")]),  # a task
    ],
)
def test_a_tick_with_any_other_change_is_still_a_change(edited: str) -> None:
    ours = task_page([("incomplete", "Approve PAY-1")])
    assert hash_without_task_statuses(ours) != hash_without_task_statuses(edited)


def test_a_task_s_text_is_read_without_its_markup() -> None:
    fragment = "Approve <strong>PAY-1</strong>\n  for&nbsp;P1.KR1 &amp; <em>more</em>"
    assert plain_text(fragment) == "Approve PAY-1 for\u00a0P1.KR1 & more"


@pytest.mark.parametrize(("ours", "stored"), SAME)
def test_what_confluence_rewrites_on_save_is_the_same_body(ours: str, stored: str) -> None:
    assert same_body(ours, stored)


@pytest.mark.parametrize(("one", "other"), DIFFERENT)
def test_what_a_person_changes_is_a_different_body(one: str, other: str) -> None:
    assert not same_body(one, other)


def test_a_body_that_does_not_parse_still_equals_itself() -> None:
    assert canonical_hash("<p>unclosed") == canonical_hash("<p>unclosed ")
    assert canonical_hash("<p>unclosed") != canonical_hash("<p>unclosed!")
    assert canonical_hash("<p>&bogus;</p>") != canonical_hash("<p></p>")


def test_an_entity_that_declares_things_is_not_expanded() -> None:
    bomb = '<!DOCTYPE p [<!ENTITY a "aaaaaaaaaa">]><p>&a;&a;</p>'
    assert canonical_hash(bomb) != canonical_hash("<p>aaaaaaaaaaaaaaaaaaaa</p>")


def test_the_legacy_hash_is_what_earlier_releases_recorded() -> None:
    # sha256 of the body with `<br/>` spaced and the white space between tags dropped.
    expected = hashlib.sha256(b"<p>a<br />b</p><p>c</p>").hexdigest()
    assert legacy_hash(" <p>a<br/>b</p>\n  <p>c</p> ") == expected
