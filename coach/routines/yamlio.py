"""Safe YAML loading into pydantic models, with errors that name file, line and column.

YAML is parsed with ``yaml.safe_load`` semantics only (no Python objects can be constructed),
so a routine file can never run code. Every way a file can be wrong — unreadable, too big,
binary, not UTF-8, malformed YAML, nested absurdly deep, an alias bomb, a wrong type, an
unknown key — ends in one exception, :class:`FileProblems`, whose problems each carry a
``FILE:LINE:COL`` position.

Checks that need more than the model (the catalogue, today's date) report their findings with
a pydantic-style location tuple; :func:`locate` turns such a location into a line and column
of the parsed document (see :func:`parse_yaml`).
"""

from __future__ import annotations

import codecs
import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)

MAX_FILE_BYTES = 1_000_000  # a routine is a few KB; refuse anything absurd before parsing
#: Aliases let a tiny file describe an exponentially large tree ("billion laughs"); validating
#: it would hang. Count nodes as the validator would see them and refuse beyond this.
MAX_NODES = 200_000
MAX_DEPTH = 64
MAX_PROBLEMS = 50  # report the first 50; a file with more is the wrong file
_REPR_MAX = 60


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a file, printed as ``FILE:LINE:COL: message — hint``."""

    file: str
    line: int
    col: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        s = f"{self.file}:{self.line}:{self.col}: {_one_line(self.message)}"
        return f"{s} — {_one_line(self.hint)}" if self.hint else s


def _one_line(text: str) -> str:
    """Escape line breaks and other control characters: one problem is always one line."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )


class FileProblems(Exception):
    """A file could not be loaded; ``problems`` lists every reason, each with its position."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def short_repr(value: Any) -> str:
    """``repr(value)`` cut to a length fit for a one-line message."""
    try:
        r = repr(value)
    except Exception:  # noqa: BLE001 -- a repr can raise anything; never let the error report crash
        r = f"<{type(value).__name__}>"
    return r if len(r) <= _REPR_MAX else r[: _REPR_MAX - 3] + "..."


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
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(key, int)
            and 0 <= key < len(node.value)
        ):
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


def locate(root: yaml.Node | None, loc: tuple[Any, ...], *, key: bool = False) -> tuple[int, int]:
    """1-based ``(line, column)`` of the value (or with ``key=True`` the key) at ``loc``.

    Parameters
    ----------
    root
        The composed document from :func:`parse_yaml`.
    loc
        A path of mapping keys and sequence indices, as in pydantic error locations. When the
        path does not fully resolve, the deepest existing node is used.
    key
        Point at the key of the last element instead of its value (for "unknown key" style
        messages).
    """
    node: yaml.Node | None = _key_node(root, loc) if key and loc else None
    if node is None:
        node, _ = _node_for(root, loc)
    if node is None:
        return 1, 1
    return node.start_mark.line + 1, node.start_mark.column + 1


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names (as written in the file, i.e. aliases) of the sub-model at ``loc``."""
    cur: Any = model
    for key in loc:
        if isinstance(key, int):
            continue
        fields = getattr(cur, "model_fields", None)
        if not fields:
            return []
        by_name = {(f.alias or n): f for n, f in fields.items()}
        if key not in by_name:
            return []
        cur = _inner_model(by_name[key].annotation)
        if cur is None:
            return []
    fields = getattr(cur, "model_fields", None)
    return [f.alias or n for n, f in fields.items()] if fields else []


def _inner_model(ann: Any) -> Any:
    from typing import get_args

    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for a in get_args(ann):
        m = _inner_model(a)
        if m is not None:
            return m
    return None


def _friendly(err: Any) -> tuple[str, str]:  # noqa: PLR0911
    """A pydantic error as (what is wrong, how to fix it) in plain words.

    One early return per pydantic error type, so it reads as a table; the returns stay.
    """
    typ = err.get("type", "")
    msg = str(err.get("msg", "invalid value"))
    inp = short_repr(err.get("input"))
    ctx = err.get("ctx") or {}
    if isinstance(err.get("input"), bool) and (
        typ.startswith(("int", "float", "greater_than", "less_than")) or typ == "finite_number"
    ):
        return f"'{str(err['input']).lower()}' is a yes/no value, not a number", "write a number"
    if typ == "missing":
        return "required field is missing", "add it"
    if typ == "extra_forbidden":
        return "unknown key", ""
    if typ in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = next(iter(ctx.values()), "")
        if isinstance(bound, float) and bound.is_integer():
            bound = int(bound)
        word = {
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "greater_than": "more than",
            "less_than": "less than",
        }[typ]
        return f"value {inp} is out of range", f"use a value {word} {bound}"
    if typ == "finite_number":
        return f"value {inp} is not a finite number", "write an ordinary number"
    if typ in ("too_long", "too_short"):
        return msg.lower(), ""
    if typ == "literal_error":
        return f"{inp} is not allowed", f"use one of {ctx.get('expected', '')}"
    if typ == "string_pattern_mismatch":
        return f"{inp} is not in the expected form", f"it must match {ctx.get('pattern', '')}"
    if typ.endswith("_type") or typ.endswith("_parsing"):
        return f"wrong type: {msg.lower()} (got {inp})", ""
    if typ == "value_error":
        return msg.removeprefix("Value error, "), ""
    return msg, ""


def _check_size(root: yaml.Node | None, filename: str) -> None:
    """Refuse alias bombs and absurd nesting before anything walks the data recursively."""
    if root is None:
        return
    count = 0
    duplicates: list[Problem] = []
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise FileProblems(
                [
                    Problem(
                        filename,
                        1,
                        1,
                        "the file describes too many values (aliases expanding too far?)",
                        "write the routine out plainly",
                    )
                ]
            )
        if depth > MAX_DEPTH:
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
            raise FileProblems(
                [
                    Problem(
                        filename,
                        line,
                        col,
                        f"the file is nested more than {MAX_DEPTH} levels deep",
                        "check the indentation",
                    )
                ]
            )
        if isinstance(node, yaml.MappingNode):
            duplicates.extend(_duplicate_keys(node, filename))
            for k, v in node.value:
                stack.append((k, depth + 1))
                stack.append((v, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((v, depth + 1) for v in node.value)
    if duplicates:
        duplicates.sort(key=lambda p: (p.line, p.col))
        raise FileProblems(duplicates[:MAX_PROBLEMS])


def _duplicate_keys(node: yaml.MappingNode, filename: str) -> list[Problem]:
    """A key written twice in one mapping: YAML would silently keep the last one (even for an
    ``id``), so name both lines instead."""
    seen: dict[tuple[str, str], yaml.Node] = {}
    found: list[Problem] = []
    for k, _v in node.value:
        if not isinstance(k, yaml.ScalarNode) or k.tag == "tag:yaml.org,2002:merge":
            continue
        first = seen.setdefault((k.tag, k.value), k)
        if first is not k:
            found.append(
                Problem(
                    filename,
                    k.start_mark.line + 1,
                    k.start_mark.column + 1,
                    f"duplicate key {short_repr(k.value)}: written on line {first.start_mark.line + 1}"
                    f" and again on line {k.start_mark.line + 1}",
                    "keep one of them",
                )
            )
    return found


def parse_yaml(text: str, filename: str) -> tuple[yaml.Node | None, Any]:
    """Compose and load YAML ``text`` safely: the node tree (for positions) and the data.

    Raises
    ------
    FileProblems
        Malformed YAML, nesting deeper than :data:`MAX_DEPTH`, or more than :data:`MAX_NODES`
        values once aliases are expanded.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        _check_size(root, filename)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "malformed YAML"
        raise FileProblems(
            [
                Problem(
                    filename,
                    line,
                    col,
                    f"malformed YAML: {what}",
                    "check indentation, colons and quotes",
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise FileProblems(
            [Problem(filename, 1, 1, f"malformed YAML: {short_repr(str(exc))}")]
        ) from None
    except RecursionError:
        raise FileProblems(
            [
                Problem(
                    filename, 1, 1, "the file is nested too deeply to read", "check the indentation"
                )
            ]
        ) from None
    except (ValueError, OverflowError, TypeError) as exc:
        # PyYAML's constructors raise plain errors for a few impossible scalars (e.g. a
        # timestamp like 2024-02-30); find the scalar to say where.
        line, col, value = _bad_scalar(text)
        what = f"{value!r} is not a valid value" if value is not None else short_repr(str(exc))
        raise FileProblems(
            [
                Problem(
                    filename,
                    line,
                    col,
                    f"malformed YAML value: {what} ({exc})",
                    "check the date or number",
                )
            ]
        ) from None
    return root, data


def _bad_scalar(text: str) -> tuple[int, int, str | None]:
    """Position of the first scalar PyYAML cannot construct (after a plain constructor error)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return 1, 1, None
    loader = yaml.SafeLoader("")
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop(0)
        if isinstance(node, yaml.ScalarNode):
            try:
                loader.construct_object(node, deep=True)
            except Exception:  # noqa: BLE001 -- the failure we are locating; any kind is the answer
                return node.start_mark.line + 1, node.start_mark.column + 1, node.value
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack += [k, v]
        elif isinstance(node, yaml.SequenceNode):
            stack += list(node.value)
    return 1, 1, None


def problems_from_validation(
    exc: ValidationError, root: yaml.Node | None, model: type[BaseModel], filename: str
) -> list[Problem]:
    """Translate a pydantic :class:`ValidationError` into positioned :class:`Problem` s."""
    problems: list[Problem] = []
    for err in exc.errors()[:MAX_PROBLEMS]:
        loc = tuple(err.get("loc", ()))
        typ = err.get("type", "")
        message, hint = _friendly(err)
        if typ == "extra_forbidden" and loc:
            line, col = locate(root, loc, key=True)
            allowed = _allowed_keys(model, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else (f"allowed keys: {', '.join(allowed)}" if allowed else "remove it")
            )
        else:
            line, col = locate(root, loc)
        field = ".".join(str(p) for p in loc if not (isinstance(p, str) and ("[" in p or "-" in p)))
        problems.append(Problem(filename, line, col, f"{field or 'file'}: {message}", hint))
    return problems


def validate_data(
    root: yaml.Node | None,
    data: Any,
    model: type[M],
    filename: str,
    *,
    context: dict[str, Any] | None = None,
) -> M:
    """Validate already-parsed YAML ``data`` as ``model``; raise :class:`FileProblems` on errors."""
    if not isinstance(data, dict):
        raise FileProblems(
            [
                Problem(
                    filename,
                    1,
                    1,
                    "the file must be a YAML mapping of keys to values",
                    "start with 'id: ...' style lines",
                )
            ]
        )
    try:
        obj = model.model_validate(data, context=context)
    except ValidationError as exc:
        raise FileProblems(problems_from_validation(exc, root, model, filename)) from None
    except RecursionError:
        raise FileProblems(
            [
                Problem(
                    filename, 1, 1, "the file is nested too deeply to read", "check the indentation"
                )
            ]
        ) from None
    bools = list(_bools_taken_as_numbers(data, obj, ()))
    if bools:
        raise FileProblems(
            [
                Problem(
                    filename,
                    *locate(root, loc),
                    f"{'.'.join(str(x) for x in loc) or 'file'}: '{str(value).lower()}' is a yes/no"
                    " value, not a number",
                    "write a number",
                )
                for loc, value in bools[:MAX_PROBLEMS]
            ]
        )
    return obj


def _bools_taken_as_numbers(
    data: Any, obj: Any, loc: tuple[Any, ...]
) -> Iterator[tuple[tuple[Any, ...], bool]]:
    """Where the file says ``true``/``false`` and the model turned it into a number.

    pydantic's lax mode reads ``reps: true`` as 1. Rather than make every model strict (which
    would also refuse dates and enums written as text), walk the file's data beside the
    validated object: a bool in the file that became an int or float in the model was a count
    or a measure written as yes/no.
    """
    if isinstance(data, bool):
        if isinstance(obj, (int, float)) and not isinstance(obj, bool):
            yield loc, data
        return
    if isinstance(data, dict):
        if isinstance(obj, BaseModel):
            names = {(f.alias or n): n for n, f in type(obj).model_fields.items()}
            names.update({n: n for n in type(obj).model_fields})
            for k, v in data.items():
                name = names.get(k) if isinstance(k, str) else None
                if name is not None:
                    yield from _bools_taken_as_numbers(v, getattr(obj, name, None), (*loc, k))
        elif isinstance(obj, dict):
            for k, v in data.items():
                if k in obj:
                    yield from _bools_taken_as_numbers(v, obj[k], (*loc, k))
    elif isinstance(data, list) and isinstance(obj, (list, tuple)) and len(obj) == len(data):
        for i, (v, o) in enumerate(zip(data, obj, strict=True)):
            yield from _bools_taken_as_numbers(v, o, (*loc, i))


def validate_yaml(text: str, model: type[M], filename: str) -> M:
    """Parse YAML ``text`` and validate it as ``model``; raise :class:`FileProblems` on any error."""
    root, data = parse_yaml(text, filename)
    return validate_data(root, data, model, filename)


def read_text(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a small UTF-8 text file; every failure (missing, too big, binary, not UTF-8) is a
    :class:`FileProblems`. The size is checked before reading, so a huge file is never loaded."""
    p = Path(path)
    name = str(p)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise FileProblems(
            [Problem(name, 1, 1, f"cannot read the file: {exc.strerror or exc}")]
        ) from None
    if size > max_bytes:
        raise FileProblems(
            [
                Problem(
                    name,
                    1,
                    1,
                    f"the file is {size / 1e6:.1f} MB; routine and exercise files are at most {max_bytes / 1e6:g} MB",
                    "is this the right file?",
                )
            ]
        )
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise FileProblems(
            [Problem(name, 1, 1, f"cannot read the file: {exc.strerror or exc}")]
        ) from None
    if (encoding := _wide_encoding(raw)) is not None:
        raise FileProblems(
            [
                Problem(
                    name,
                    1,
                    1,
                    f"the file is {encoding} text; routine and exercise files must be UTF-8",
                    "save it as UTF-8 (in most editors: Save As, Encoding: UTF-8)",
                )
            ]
        )
    if b"\x00" in raw:
        raise FileProblems(
            [
                Problem(
                    name,
                    1,
                    1,
                    "this is a binary file, not YAML text",
                    "open the .yaml file instead",
                )
            ]
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileProblems(
            [
                Problem(
                    name, 1, 1, f"the file is not UTF-8 text (byte {exc.start})", "save it as UTF-8"
                )
            ]
        ) from None


def _wide_encoding(raw: bytes) -> str | None:
    """ "UTF-16"/"UTF-32" when ``raw`` is text in one of them (with or without a byte-order
    mark), else None. Such files are full of zero bytes and would otherwise be called binary."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "UTF-32"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    if len(raw) < 4 or len(raw) % 2:
        return None
    even, odd = raw[0::2], raw[1::2]
    for zeros, text, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        # Mostly-ASCII UTF-16: one half of the bytes is almost all zero, the other almost none.
        if zeros.count(0) >= 0.9 * len(zeros) and text.count(0) <= 0.05 * len(text):
            try:
                raw.decode(codec)
            except UnicodeDecodeError:
                continue
            return "UTF-16"
    return None


def load_yaml_file(path: str | Path, model: type[M]) -> M:
    """Load and validate a YAML file; every failure is a :class:`FileProblems`."""
    return validate_yaml(read_text(path), model, str(Path(path)))
