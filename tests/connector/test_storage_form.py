"""The canonical form of a storage-format body: equal for what Confluence rewrites on save,
different for what a person changes. Pairs written by hand, as Confluence stores them."""

from __future__ import annotations

import hashlib

import pytest

from connector.storage_form import canonical_hash, legacy_hash, same_body

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
]

DIFFERENT = [
    ("<p>Priya's plan</p>", "<p>Priya's plans</p>"),  # a word
    ("<p>a</p><p>b</p>", "<p>a</p>"),  # a paragraph removed
    ("<p><strong>a</strong></p>", "<p><em>a</em></p>"),  # markup
    ('<a href="h1">x</a>', '<a href="h2">x</a>'),  # an attribute
    ('<ac:structured-macro ac:name="info" />', '<ac:structured-macro ac:name="note" />'),
    ("<p>a b</p>", "<p>a&nbsp;b</p>"),  # a no-break space is content, not white space
]


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
