"""Safe YAML loading into pydantic models, with errors that name file, line and column.

YAML is parsed with ``yaml.safe_load`` semantics only (no Python objects can be constructed),
so a routine file can never run code.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

MAX_FILE_BYTES = 1_000_000  # a routine is a few KB; refuse anything absurd before parsing


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a file, printed as ``FILE:LINE:COL: message — hint``."""

    file: str
    line: int
    col: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        s = f"{self.file}:{self.line}:{self.col}: {self.message}"
        return f"{s} — {self.hint}" if self.hint else s


class FileProblems(Exception):
    """A file could not be loaded; ``problems`` lists every reason, each with its position."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _node_for(root: yaml.Node | None, loc: tuple[Any, ...]) -> tuple[yaml.Node | None, bool]:
    """Walk a pydantic error location through the YAML node tree.

    Returns the deepest node found and whether the full path resolved (False means the last key
    is missing, so the position is that of its parent mapping).
    """
    node = root
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = None
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(key):
                    nxt = v
                    break
            if nxt is None:
                return node, False
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
            node = node.value[key]
        else:
            # pydantic adds tags like 'function-after[...]' or a union member name; skip them.
            continue
    return node, True


def _key_node(root: yaml.Node | None, loc: tuple[Any, ...]) -> yaml.Node | None:
    """The node of the *key* at ``loc`` (for 'extra key' errors, point at the key itself)."""
    parent, ok = _node_for(root, loc[:-1])
    if ok and isinstance(parent, yaml.MappingNode):
        for k, _v in parent.value:
            if isinstance(k, yaml.ScalarNode) and k.value == str(loc[-1]):
                return k
    return None


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the sub-model at ``loc`` (for typo suggestions); best effort."""
    cur: Any = model
    for key in loc:
        if isinstance(key, int):
            continue
        fields = getattr(cur, "model_fields", None)
        if not fields or key not in fields:
            return []
        ann = fields[key].annotation
        cur = _inner_model(ann)
        if cur is None:
            return []
    fields = getattr(cur, "model_fields", None)
    return list(fields) if fields else []


def _inner_model(ann: Any) -> Any:
    from typing import get_args

    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for a in get_args(ann):
        m = _inner_model(a)
        if m is not None:
            return m
    return None


def _friendly(err: dict[str, Any]) -> tuple[str, str]:
    typ = err.get("type", "")
    msg = str(err.get("msg", "invalid value"))
    inp = err.get("input")
    ctx = err.get("ctx") or {}
    if typ == "missing":
        return "required field is missing", "add it"
    if typ == "extra_forbidden":
        return "unknown key", ""
    if typ in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = next(iter(ctx.values()), "")
        word = {"greater_than_equal": "at least", "less_than_equal": "at most", "greater_than": "more than", "less_than": "less than"}[typ]
        return f"value {inp!r} is out of range", f"use a value {word} {bound}"
    if typ == "literal_error":
        return f"{inp!r} is not allowed", f"use one of {ctx.get('expected', '')}"
    if typ.endswith("_type") or typ.endswith("_parsing"):
        return f"wrong type: {msg.lower()} (got {inp!r})", ""
    if typ == "value_error":
        return msg.removeprefix("Value error, "), ""
    return msg, ""


def validate_yaml(text: str, model: type[M], filename: str) -> M:
    """Parse YAML ``text`` and validate it as ``model``; raise :class:`FileProblems` on any error."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "malformed YAML"
        raise FileProblems(
            [Problem(filename, line, col, f"malformed YAML: {what}", "check indentation, colons and quotes")]
        ) from None
    except yaml.YAMLError as exc:
        raise FileProblems([Problem(filename, 1, 1, f"malformed YAML: {exc}")]) from None
    if not isinstance(data, dict):
        raise FileProblems(
            [Problem(filename, 1, 1, "the file must be a YAML mapping of keys to values", "start with 'id: ...' style lines")]
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems: list[Problem] = []
        for err in exc.errors():
            loc = tuple(err.get("loc", ()))
            typ = err.get("type", "")
            message, hint = _friendly(err)
            node: yaml.Node | None
            if typ == "extra_forbidden" and loc:
                node = _key_node(root, loc) or _node_for(root, loc)[0]
                allowed = _allowed_keys(model, loc[:-1])
                close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else (f"allowed keys: {', '.join(allowed)}" if allowed else "remove it")
            else:
                node, _ = _node_for(root, loc)
            line, col = (node.start_mark.line + 1, node.start_mark.column + 1) if node is not None else (1, 1)
            field = ".".join(str(p) for p in loc if not (isinstance(p, str) and ("[" in p or "-" in p)))
            problems.append(Problem(filename, line, col, f"{field or 'file'}: {message}", hint))
        raise FileProblems(problems) from None


def load_yaml_file(path: str | Path, model: type[M]) -> M:
    """Load and validate a YAML file; every failure is a :class:`FileProblems`."""
    p = Path(path)
    name = str(p)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise FileProblems([Problem(name, 1, 1, f"cannot read the file: {exc.strerror or exc}")]) from None
    if size > MAX_FILE_BYTES:
        raise FileProblems(
            [Problem(name, 1, 1, f"the file is {size / 1e6:.1f} MB; routine and exercise files are at most 1 MB", "is this the right file?")]
        )
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise FileProblems([Problem(name, 1, 1, f"cannot read the file: {exc.strerror or exc}")]) from None
    if b"\x00" in raw:
        raise FileProblems([Problem(name, 1, 1, "this is a binary file, not YAML text", "open the .yaml file instead")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileProblems([Problem(name, 1, 1, f"the file is not UTF-8 text (byte {exc.start})", "save it as UTF-8")]) from None
    return validate_yaml(text, model, name)
