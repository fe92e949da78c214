"""JQL tokenizer and recursive-descent parser (the subset the sandbox serves).

Grammar (keywords are case-insensitive)::

    query    := [or_expr] [ORDER BY sort ("," sort)*] EOF
    or_expr  := and_expr (OR and_expr)*
    and_expr := not_expr (AND not_expr)*
    not_expr := NOT not_expr | "(" or_expr ")" | clause
    clause   := field operator operand
    field    := WORD | STRING | "cf" "[" NUMBER "]"
    operator := = | != | < | <= | > | >= | ~ | !~ | IN | NOT IN | IS | IS NOT
    operand  := value | EMPTY | NULL | function "(" [value ("," value)*] ")"
              | "(" value ("," value)* ")"
    sort     := field [ASC | DESC]

Errors are raised as JqlError with Jira's wording and a (line, character) position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

KEYWORDS = frozenset(
    {"and", "or", "not", "in", "is", "empty", "null", "order", "by", "asc", "desc"}
)
OPERATORS = ("!=", "<=", ">=", "!~", "=", "<", ">", "~")
# Characters Jira reserves outside quoted strings (the sandbox reports them the way Jira does).
RESERVED = frozenset("+;?|*/%^$#&{}\\")
STOP = frozenset(" \t\r\n()[],=!<>~\"'")
ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "r": "\r", "t": "\t", " ": " "}
# The tokens, found by one regex (queries of 500 ids are long), each after any white space
# (taken whole: a word never starts with the space before it).
# A word runs to the first stop or reserved character; a string's escapes are read by
# `_read_string`; `other` is a reserved character, `!`, or a quote whose string never closes.
_WORD = f"[^{re.escape(''.join(sorted(STOP | RESERVED)))}]"
_TOKEN = re.compile(
    r"\s*+(?:(?P<punct>[()\[\],])"
    f"|(?P<op>{'|'.join(map(re.escape, OPERATORS))})"
    f"|(?P<word>{_WORD}+)"
    r"""|(?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
    r"|(?P<other>\S))",
    re.DOTALL,
)
# After IN, a list of plain words (a sync names 500 ids) is one LIST token holding them: the
# words and commas the tokens above would find, without a token each.
_LIST = re.compile(rf"\((?:\s*+{_WORD}++\s*+,)*+\s*+{_WORD}++\s*+\)")
_ITEM = re.compile(rf"\s*+({_WORD}++)\s*+[,)]")


class JqlError(ValueError):
    """A query Jira would refuse; ``str(err)`` is the message for errorMessages."""


class Token(NamedTuple):  # a tuple: made once per word of every query
    kind: str  # WORD, STRING, OP, "(", ")", ",", "[", "]", LIST, EOF
    text: str  # LIST: "(", where the list starts
    pos: int
    items: tuple[str, ...] = ()  # LIST: its words


@dataclass(frozen=True)
class Value:
    text: str
    quoted: bool


@dataclass(frozen=True)
class Empty:
    pass


@dataclass(frozen=True)
class Function:
    name: str
    args: tuple[str, ...]


Operand = Value | Empty | Function | tuple[Value | Empty | Function, ...]


@dataclass(frozen=True)
class Clause:
    field: str
    op: str  # "=", "!=", ..., "in", "not in", "is", "is not"
    operand: Operand


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Clause | BoolOp | Not


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool


@dataclass(frozen=True)
class Query:
    where: Node | None
    order: tuple[SortKey, ...]


def _where(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    column = pos - (text.rfind("\n", 0, pos) + 1) + 1
    return f"(line {line}, character {column})"


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while (found := _TOKEN.match(text, pos)) is not None:
        kind = found.lastgroup
        i = found.start(kind)  # type: ignore[arg-type]  # every match has a named group
        pos = found.end()
        if kind == "word":
            tokens.append(Token("WORD", found.group(kind), i))
        elif kind == "punct":
            listed = _plain_list(text, i, tokens)
            if listed is None:
                tokens.append(Token(text[i], text[i], i))
            else:
                token, pos = listed  # the list's token, and where it ends
                tokens.append(token)
        elif kind == "op":
            tokens.append(Token("OP", found.group(kind), i))
        elif kind == "string" or text[i] in "\"'":  # a string, or one never closed (an error)
            _read_string(text, i, tokens)
        else:  # reserved, or a lone `!`
            raise JqlError(
                f"Error in the JQL Query: The character '{text[i]}' is a reserved JQL "
                f"character. You must enclose it in a string or use the escape "
                f"'\\u{ord(text[i]):04x}' instead. {_where(text, i)}"
            )
    tokens.append(Token("EOF", "", len(text)))
    return tokens


def _plain_list(text: str, start: int, tokens: list[Token]) -> tuple[Token, int] | None:
    """The LIST token for ``(`` at ``start`` right after IN, and where the list ends, when only
    plain words follow to the ``)`` (no keyword, EMPTY or function among them)."""
    if text[start] != "(" or not tokens or tokens[-1].kind != "WORD":
        return None
    if tokens[-1].text.lower() != "in":
        return None
    found = _LIST.match(text, start)
    if found is None:
        return None
    words = tuple(_ITEM.findall(text, start + 1, found.end()))
    if not KEYWORDS.isdisjoint(map(str.lower, words)):
        return None
    return Token("LIST", "(", start, words), found.end()


def _read_string(text: str, start: int, tokens: list[Token]) -> int:
    quote, i = text[start], start + 1
    out: list[str] = []
    while i < len(text):
        ch = text[i]
        if ch == quote:
            tokens.append(Token("STRING", "".join(out), start))
            return i + 1
        if ch == "\\":
            nxt = text[i + 1 : i + 2]
            if nxt == "u" and len(text) >= i + 6:
                try:
                    out.append(chr(int(text[i + 2 : i + 6], 16)))
                    i += 6
                    continue
                except ValueError:
                    pass
            if nxt not in ESCAPES:
                raise JqlError(
                    f"Error in the JQL Query: The escape sequence '\\{nxt}' is "
                    f"illegal. {_where(text, i)}"
                )
            out.append(ESCAPES[nxt])
            i += 2
            continue
        out.append(ch)
        i += 1
    raise JqlError(
        f"Error in the JQL Query: The quoted string '{text[start + 1 :]}' has not "
        f"been completed. {_where(text, start)}"
    )


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def is_kw(self, *words: str, offset: int = 0) -> bool:
        tok = self.tokens[min(self.i + offset, len(self.tokens) - 1)]
        return tok.kind == "WORD" and tok.text.lower() in words

    def error(self, expecting: str, tok: Token | None = None, hint: str = "") -> JqlError:
        tok = tok or self.tok
        got = "the end of the query" if tok.kind == "EOF" else f"'{tok.text}'"
        where = "" if tok.kind == "EOF" else " " + _where(self.text, tok.pos)
        return JqlError(
            f"Error in the JQL Query: Expecting {expecting} but got {got}.{hint}{where}"
        )

    def query(self) -> Query:
        where = None if self.tok.kind == "EOF" or self.is_kw("order") else self.or_expr()
        order: list[SortKey] = []
        if self.is_kw("order"):
            self.take()
            if not self.is_kw("by"):
                raise self.error("'by'")
            self.take()
            order.append(self.sort_key())
            while self.tok.kind == ",":
                self.take()
                order.append(self.sort_key())
        if self.tok.kind != "EOF":
            raise self.error("either 'OR' or 'AND'" if where and not order else "',' or the end")
        return Query(where, tuple(order))

    def sort_key(self) -> SortKey:
        name = self.field()
        descending = False
        if self.is_kw("asc", "desc"):
            descending = self.take().text.lower() == "desc"
        return SortKey(name, descending)

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.is_kw("or"):
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_expr(self) -> Node:
        items = [self.not_expr()]
        while self.is_kw("and"):
            self.take()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def not_expr(self) -> Node:
        if self.is_kw("not"):
            self.take()
            return Not(self.not_expr())
        if self.tok.kind == "(":
            self.take()
            node = self.or_expr()
            if self.tok.kind != ")":
                raise self.error("')'")
            self.take()
            return node
        return self.clause()

    def field(self) -> str:
        tok = self.tok
        if tok.kind == "WORD" and tok.text.lower() == "cf" and self.tokens[self.i + 1].kind == "[":
            self.i += 2
            num = self.take()
            if num.kind != "WORD" or not num.text.isdigit() or self.tok.kind != "]":
                raise self.error("a custom field id such as cf[10030]", num)
            self.take()
            return f"cf[{num.text}]"
        if tok.kind == "STRING" or (tok.kind == "WORD" and tok.text.lower() not in KEYWORDS):
            self.take()
            return tok.text
        raise self.error("a field name")

    def clause(self) -> Clause:
        name = self.field()
        tok = self.tok
        if tok.kind == "OP":
            self.take()
            op = tok.text
        elif self.is_kw("in"):
            self.take()
            op = "in"
        elif self.is_kw("not") and self.is_kw("in", offset=1):
            self.i += 2
            op = "not in"
        elif self.is_kw("is"):
            self.take()
            op = "is"
            if self.is_kw("not"):
                self.take()
                op = "is not"
        else:
            raise self.error(
                "operator",
                hint=" The valid operators are '=', '!=', '<', '>', "
                "'<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.",
            )
        if op in ("in", "not in"):
            if self.tok.kind not in ("(", "LIST") and not (
                self.tok.kind == "WORD" and self.tokens[self.i + 1].kind in ("(", "LIST")
            ):
                raise self.error("'(' to start a list of values")
            operand: Operand = self.operand(allow_list=True)
        else:
            operand = self.operand(allow_list=False)
        return Clause(name, op, operand)

    def operand(self, *, allow_list: bool) -> Operand:
        tok = self.tok
        if tok.kind == "LIST" and allow_list:
            self.take()
            return tuple([Value(word, False) for word in tok.items])
        if tok.kind == "(" and allow_list:
            self.take()
            items = [self.single()]
            while self.tok.kind == ",":
                self.take()
                items.append(self.single())
            if self.tok.kind != ")":
                raise self.error("')' or ','")
            self.take()
            return tuple(items)
        return self.single()

    def single(self) -> Value | Empty | Function:
        tok = self.tok
        if tok.kind == "STRING":
            self.take()
            return Value(tok.text, True)
        if tok.kind == "WORD" and self.tokens[self.i + 1].kind == "LIST":  # a function `in(a)`
            self.i += 2
            return Function(tok.text, self.tokens[self.i - 1].items)
        if tok.kind == "WORD" and self.tokens[self.i + 1].kind == "(":
            self.i += 2
            args: list[str] = []
            while self.tok.kind in ("WORD", "STRING"):
                args.append(self.take().text)
                if self.tok.kind != ",":
                    break
                self.take()
            if self.tok.kind != ")":
                raise self.error("')' to close the function arguments")
            self.take()
            return Function(tok.text, tuple(args))
        if tok.kind == "WORD" and tok.text.lower() in ("empty", "null"):
            self.take()
            return Empty()
        if tok.kind == "WORD" and tok.text.lower() not in KEYWORDS:
            self.take()
            return Value(tok.text, False)
        raise self.error(
            "either a value, list or function",
            hint=f" You must surround '{tok.text}' in quotation marks to use it as a value."
            if tok.kind != "EOF"
            else "",
        )


def parse(text: str) -> Query:
    """Parse JQL text into a Query; raise JqlError for anything outside the grammar."""
    return _Parser(text).query()
