"""A plain list after IN is read as one token (jql_parse.py): it must parse as the tokens did.

A hypothesis property draws JQL-like texts (lists of words, keywords, EMPTY, functions,
quotes, odd white space and reserved characters) and holds that the parse, or the refusal,
is the same with the one-token list as without it.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.sandbox import jql_parse
from connector.sandbox.jql_parse import JqlError, Query, parse

PIECES = (
    "parent",
    "key",
    "PAY-1",
    "10001",
    "in",
    "IN",
    "not",
    "NOT IN",
    "EMPTY",
    "null",
    "and",
    "order by key",
    "fn",
    "(",
    ")",
    ",",
    "=",
    '"x"',
    "'y, z'",
    '"open',
    "#",
    "!",
    "\x0b",
    "\xa0",
)
SPACE = st.sampled_from(["", " ", "  ", "\t", "\n", "\x0b"])


@st.composite
def texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(SPACE, st.sampled_from(PIECES)), max_size=14))
    return "".join(space + piece for space, piece in parts)


def outcome(text: str) -> Query | str:
    try:
        return parse(text)
    except JqlError as exc:
        return f"refused: {exc}"


def token_by_token(text: str) -> Query | str:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jql_parse, "_plain_list", lambda *_: None)
        return outcome(text)


@settings(max_examples=400, deadline=None)
@given(text=texts())
def test_a_list_read_as_one_token_parses_as_its_tokens(text: str) -> None:
    assert outcome(text) == token_by_token(text), repr(text)


@pytest.mark.parametrize(
    "text",
    [
        "parent in (PAY-1, 10001 ,PAY-2)",
        "parent in(PAY-1)",
        "parent not in ( PAY-1,\tPAY-2 )",
        "parent in (PAY-1, EMPTY)",
        "parent in (PAY-1, and)",
        "parent in in (a, b)",
        "parent = in (a, b)",
        "parent in (a, in (b, c))",
        "parent in (a\x0b, \x0bb)",
        "parent in ()",
        "parent in (a, b) foo",
    ],
)
def test_lists_and_their_neighbours_parse_as_before(text: str) -> None:
    assert outcome(text) == token_by_token(text)
