"""Reading the YAML files people write (settings, catalogue, overrides), defensively.

Every failure is one `UserError` line naming the file and what to do. Beyond plain YAML:

- a file above MAX_BYTES (5 MB) is refused before it is parsed: the largest real catalogue is a
  few hundred kilobytes, and a huge file is a mistake (or an attack) that would stall every run;
- the bytes must be UTF-8 (a byte-order mark is allowed); UTF-16 and other encodings are refused
  with the advice to save the file as UTF-8, instead of failing deep inside the parser;
- a key written twice in one mapping is refused (YAML would keep the last one silently);
- aliases are capped: at most MAX_ALIASES of them, and the document, with every alias expanded,
  at most MAX_NODES nodes, so a "billion laughs" file fails fast instead of eating the memory.
"""

from __future__ import annotations

import codecs
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from rules.errors import UserError

MAX_BYTES = 5 * 1024 * 1024
MAX_ALIASES = 1_000
MAX_NODES = 200_000
MAX_DEPTH = 200
MERGE_TAG = "tag:yaml.org,2002:merge"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"  # 2026-09-31 parses as one, then fails


def read_yaml(path: Path) -> object:
    """Parse a YAML file; every failure is a UserError naming the file (and the line or key)."""
    text = read_text(path)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: broken YAML{_where(exc)}: {_problem(exc)}") from None
    except RecursionError:
        raise UserError(f"{path}: nested too deeply to be a settings or OKR file") from None
    if node is None:
        return None
    _Walk(path).check(node)
    try:
        return yaml.SafeLoader(text).construct_document(node)
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: broken YAML{_where(exc)}: {_problem(exc)}") from None


def read_text(path: Path) -> str:
    """The file's text, decoded as UTF-8 (with or without a byte-order mark)."""
    if path.is_dir():
        raise UserError(f"{path}: is a folder, not a file; name the YAML file itself")
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise UserError(f"{path}: file not found; check the path (or OUTCOMES_CONFIG)") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read the file: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise UserError(
            f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MB; "
            "split it (catalogue.files takes several files)"
        )
    # UTF-16 (with or without its byte-order mark) has zero bytes where ASCII text has none.
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:64]:
        raise UserError(f"{path}: encoded as UTF-16 (or not text); save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(
            f"{path}: not UTF-8 (byte 0x{data[exc.start]:02x} at line {line}); save it as UTF-8"
        ) from None


def _where(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""


def _problem(exc: yaml.YAMLError) -> str:
    return str(getattr(exc, "problem", None) or "not valid YAML").replace("\n", " ")


class _Walk:
    """Checks the composed document: duplicate keys (named by path), alias count and size."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.nodes = 0
        self.aliases = 0
        self.seen: set[int] = set()

    def check(self, node: Node) -> None:
        self._visit(node, "", 0, expanded=False)

    def _visit(self, node: Node, where: str, depth: int, *, expanded: bool) -> None:
        self.nodes += 1
        if id(node) in self.seen and not expanded:
            self.aliases += 1  # a node reached again is an alias (or a reference to itself)
            expanded = True  # what lies below it counts as nodes, not as more aliases
        self.seen.add(id(node))
        if self.aliases > MAX_ALIASES or self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise UserError(
                f"{self.path}: {where or 'the document'}: too many aliases or nested levels "
                f"(at most {MAX_ALIASES} aliases and {MAX_NODES} values once expanded); "
                "write the values out"
            )
        if isinstance(node, ScalarNode) and node.tag == TIMESTAMP_TAG:
            try:
                SafeConstructor().construct_yaml_timestamp(node)
            except ValueError:
                raise UserError(
                    f"{self.path}: {where}: not a real date, got {node.value!r}"
                ) from None
        if isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                self._visit(item, f"{where}[{index}]", depth + 1, expanded=expanded)
        elif isinstance(node, MappingNode):
            keys: dict[str, int] = {}
            for key, value in node.value:
                if key.tag == MERGE_TAG:
                    self._visit(value, where, depth + 1, expanded=expanded)
                    continue
                name = str(key.value) if isinstance(key, ScalarNode) else "?"
                step = f"{where}.{name}" if where else name
                if name in keys:
                    raise UserError(
                        f"{self.path}: {step}: key written twice (lines {keys[name]} and "
                        f"{key.start_mark.line + 1}); keep one"
                    )
                keys[name] = key.start_mark.line + 1
                self._visit(value, step, depth + 1, expanded=expanded)
