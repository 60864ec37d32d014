"""Routine YAML as plain data, for editors: split into blocks and back, render it round-trip
(ruamel.yaml keeps a therapist's comments, key order, flow style and quoting; PyYAML is the
fallback), and locate the checker's problems in the blocks. Qt-free; the widget is
:class:`coach.ui.routine_editor.RoutineEditorPage`.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: Keys holding dates (written as YAML dates, not quoted strings).
DATE_KEYS = frozenset({"created", "valid_from", "valid_until", "date", "until"})
SURGERY_TYPES = (
    "microdiscectomy",
    "discectomy",
    "laminectomy",
    "decompression",
    "fusion",
    "disc_replacement",
    "other",
)
ROLES = ("physiotherapist", "doctor", "surgeon", "nurse", "trainer", "other")
SIDES = ("none", "both", "left", "right", "alternate")
DAY_NAMES = {
    "mon": "Mon",
    "tue": "Tue",
    "wed": "Wed",
    "thu": "Thu",
    "fri": "Fri",
    "sat": "Sat",
    "sun": "Sun",
}
ITEM_ORDER = (
    "exercise",
    "custom",
    "sets",
    "reps",
    "reps_pattern",
    "hold_s",
    "rest_s",
    "duration_s",
    "tempo",
    "side",
    "thresholds",
    "cues",
    "notes",
    "progress",
    "regress",
)
_HEADER = (
    "Routine written with coach's routine editor (format: docs/routine-format.md).\n"
    "Check it with: coach routine check FILE"
)


# ---------------------------------------------------------------------------------------------
# Plain data helpers (Qt-free)


def plain(value: Any) -> Any:
    """YAML-loaded data as JSON-like data: dates become ISO strings, mappings plain dicts."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def same(a: Any, b: Any) -> bool:
    """Equal as routine data (1 == 1.0, a date equals its ISO string)."""
    return bool(plain(a) == plain(b))


@dataclass
class ItemState:
    """One item being edited; ``origin`` is (block, item) in the loaded file, None if new."""

    data: dict[str, Any]
    origin: tuple[int, int] | None = None

    @property
    def exercise_id(self) -> str:
        custom = self.data.get("custom")
        if isinstance(custom, dict):
            return str(custom.get("id", "custom"))
        return str(self.data.get("exercise", ""))


@dataclass
class BlockState:
    """One block being edited; ``extra`` holds its keys other than ``items``."""

    extra: dict[str, Any]
    items: list[ItemState] = field(default_factory=list)
    origin: int | None = None

    @property
    def name(self) -> str:
        return str(self.extra.get("name", ""))


def split_blocks(data: dict[str, Any]) -> tuple[dict[str, Any], list[BlockState]]:
    """Separate a routine mapping into its top-level keys and editable blocks (with origins)."""
    rest = {k: copy.deepcopy(v) for k, v in data.items() if k != "blocks"}
    blocks: list[BlockState] = []
    raw = data.get("blocks")
    if isinstance(raw, list):
        for b, block in enumerate(raw):
            if not isinstance(block, dict):
                continue
            extra = {k: copy.deepcopy(v) for k, v in block.items() if k != "items"}
            items = [
                ItemState(copy.deepcopy(it), (b, i))
                for i, it in enumerate(block.get("items") or [])
                if isinstance(it, dict)
            ]
            blocks.append(BlockState(extra, items, b))
    return rest, blocks


def join_blocks(rest: dict[str, Any], blocks: Sequence[BlockState]) -> dict[str, Any]:
    """The routine mapping again, ``blocks`` in canonical position (after ``schedule``)."""
    out: dict[str, Any] = {}
    placed = False
    order = list(rest)
    for k in order:
        if k in ("materials", "notes") and not placed:
            out["blocks"] = [{**b.extra, "items": [i.data for i in b.items]} for b in blocks]
            placed = True
        out[k] = rest[k]
    if not placed:
        out["blocks"] = [{**b.extra, "items": [i.data for i in b.items]} for b in blocks]
    return out


# ---------------------------------------------------------------------------------------------
# YAML output: round-trip with comments (ruamel.yaml), plain PyYAML as the fallback


def guess_indent(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) as ruamel.yaml's ``YAML.indent`` takes them."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    mapping: int | None = None
    offset: int | None = None
    for a, b in zip(lines, lines[1:]):
        ia, ib = len(a) - len(a.lstrip()), len(b) - len(b.lstrip())
        if ib <= ia or not re.match(r"^\s*[^-#\s][^:]*:\s*(#.*)?$", a):
            continue
        if b.lstrip().startswith("- "):
            offset = ib - ia if offset is None else offset
        elif mapping is None:
            mapping = ib - ia
        if mapping is not None and offset is not None:
            break
    m = mapping or 2
    o = 2 if offset is None else offset
    return m, o + 2, o


def _scalar(key: str | None, v: Any) -> Any:
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if key in DATE_KEYS and isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        return date.fromisoformat(v)
    return v


def _to_node(v: Any, key: str | None = None) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(v, dict):
        m = CommentedMap()
        for k, x in v.items():
            m[k] = _to_node(x, k)
        return m
    if isinstance(v, list):
        s = CommentedSeq(_to_node(x) for x in v)
        if (
            v
            and all(not isinstance(x, (dict, list)) for x in v)
            and sum(len(str(x)) for x in v) < 60
        ):
            s.fa.set_flow_style()
        return s
    return _scalar(key, v)


def _patch_map(
    node: Any, old: dict[str, Any], new: dict[str, Any], skip: frozenset[str] = frozenset()
) -> None:
    """Make ruamel mapping ``node`` (which holds ``old``) hold ``new``, touching only what changed."""
    from ruamel.yaml.comments import CommentedMap

    for k in list(old):
        if k not in new and k in node and k not in skip:
            del node[k]
    prev: str | None = None
    for k, v in new.items():
        if k in skip:
            prev = k if k in node else prev
            continue
        if k in node and k in old:
            if not same(old[k], v):
                if (
                    isinstance(v, dict)
                    and isinstance(old[k], dict)
                    and isinstance(node[k], CommentedMap)
                ):
                    _patch_map(node[k], old[k], v)
                else:
                    flow = getattr(getattr(node[k], "fa", None), "flow_style", lambda: None)()
                    fresh = _to_node(v, k)
                    if flow and hasattr(fresh, "fa"):
                        fresh.fa.set_flow_style()
                    node[k] = fresh
        elif k in node:
            node[k] = _to_node(v, k)
        else:
            pos = (list(node).index(prev) + 1) if prev is not None and prev in node else 0
            node.insert(pos, k, _to_node(v, k))
        prev = k


def _patch_blocks(
    root: Any, old: dict[str, Any], new: dict[str, Any], blocks: Sequence[BlockState]
) -> None:
    """Blocks and items by identity (origins), so moved items keep their comments."""
    from ruamel.yaml.comments import CommentedSeq

    old_blocks = old.get("blocks") or []
    seq = root.get("blocks")
    old_nodes = list(seq) if isinstance(seq, list) else []
    old_item_nodes = [list(b.get("items") or []) for b in old_nodes]
    new_block_nodes = []
    for j, b in enumerate(blocks):
        nb = new["blocks"][j]
        if b.origin is not None and b.origin < len(old_nodes):
            bnode, ob = old_nodes[b.origin], old_blocks[b.origin]
        else:
            bnode, ob = _to_node({k: v for k, v in nb.items() if k != "items"}), {}
        _patch_map(
            bnode,
            {k: v for k, v in ob.items() if k != "items"},
            {k: v for k, v in nb.items() if k != "items"},
            skip=frozenset({"items"}),
        )
        item_nodes = []
        for i, it in enumerate(b.items):
            ni = nb["items"][i]
            if (
                it.origin is not None
                and it.origin[0] < len(old_item_nodes)
                and it.origin[1] < len(old_item_nodes[it.origin[0]])
            ):
                inode = old_item_nodes[it.origin[0]][it.origin[1]]
                _patch_map(inode, old_blocks[it.origin[0]]["items"][it.origin[1]], ni)
            else:
                inode = _to_node(ni)
            item_nodes.append(inode)
        cur = bnode.get("items")
        if not (
            isinstance(cur, list)
            and len(cur) == len(item_nodes)
            and all(a is c for a, c in zip(item_nodes, cur))
        ):
            fresh = CommentedSeq(item_nodes)
            if isinstance(cur, CommentedSeq):
                # keep the comment after "items:" (ruamel has no public setter for it)
                fresh._yaml_comment = cur.ca  # type: ignore[attr-defined]
            if "items" in bnode:
                bnode["items"] = fresh
            else:
                bnode.insert(len(bnode), "items", fresh)
        new_block_nodes.append(bnode)
    if not (
        isinstance(seq, list)
        and len(seq) == len(new_block_nodes)
        and all(a is c for a, c in zip(new_block_nodes, seq))
    ):
        fresh = CommentedSeq(new_block_nodes)
        if isinstance(seq, CommentedSeq):
            fresh._yaml_comment = seq.ca  # type: ignore[attr-defined]
        root["blocks"] = fresh


def render_routine_yaml(
    new: dict[str, Any],
    *,
    base_text: str | None = None,
    base: dict[str, Any] | None = None,
    blocks: Sequence[BlockState] | None = None,
) -> tuple[str, bool]:
    """The YAML text of routine data ``new``; returns (text, comments_kept).

    Parameters
    ----------
    new
        The routine mapping to write (plain, JSON-like data).
    base_text, base
        The loaded file's text and its plain data: only keys whose values differ are rewritten
        and everything else — comments included — is kept. Unchanged data returns ``base_text``.
    blocks
        The editor's blocks with their origins in ``base`` (items may have moved, been added or
        removed); ``new["blocks"]`` must be built from them.
    """
    if base_text is not None and base is not None and same(base, new):
        return base_text, True
    try:
        from ruamel.yaml import YAML
        from ruamel.yaml.comments import CommentedMap
    except ImportError:
        import yaml

        head = "".join(f"# {ln}\n" for ln in _HEADER.splitlines())
        body = yaml.safe_dump(plain_scalars(new), sort_keys=False, allow_unicode=True, width=100)
        return head + body, base_text is None
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = 4096  # never re-wrap a therapist's long lines
    if base_text is not None and base is not None:
        m, s, o = guess_indent(base_text)
        y.indent(mapping=m, sequence=s, offset=o)
        root = y.load(base_text)
        if not isinstance(root, CommentedMap):
            root = CommentedMap()
            base = {}
        _patch_map(root, base, new, skip=frozenset({"blocks"}))
        if blocks is not None:
            _patch_blocks(root, base, new, blocks)
        elif not same(base.get("blocks"), new.get("blocks")):
            root["blocks"] = _to_node(new.get("blocks"), "blocks")
    else:
        y.indent(mapping=2, sequence=4, offset=2)
        root = _to_node(new)
        root.yaml_set_start_comment(_HEADER)
    buf = io.StringIO()
    y.dump(root, buf)
    return buf.getvalue(), True


def plain_scalars(v: Any, key: str | None = None) -> Any:
    if isinstance(v, dict):
        return {k: plain_scalars(x, k) for k, x in v.items()}
    if isinstance(v, list):
        return [plain_scalars(x) for x in v]
    return _scalar(key, v)


# ---------------------------------------------------------------------------------------------
# Problems


@dataclass(frozen=True)
class EditorProblem:
    """One problem as ``coach routine check`` prints it, plus where it is in the editor's words.

    ``problem`` is the checker's own :class:`~coach.routines.yamlio.Problem` (file, line,
    column, message, hint); ``where`` names the block and exercise ("Block 'Core' › Glute
    bridge: reps") and ``loc`` is its location path, used to mark and select the item.
    """

    severity: str  # "error" or "warning"
    where: str
    message: str
    hint: str = ""
    line: int = 0
    loc: tuple[Any, ...] = ()

    def text(self) -> str:
        """The checker's wording: ``line N: message — hint`` (the CLI line without the file)."""
        s = f"line {self.line}: {self.message}" if self.line else self.message
        return f"{s} — {self.hint}" if self.hint else s


_FIELD = re.compile(r"^([A-Za-z_][\w]*(?:\.[\w]+)*): ")


def problem_loc(message: str) -> tuple[Any, ...]:
    """The location path at the start of a checker message (``blocks.1.items.0.reps: ...``)."""
    m = _FIELD.match(message)
    if m is None:
        return ()
    return tuple(int(p) if p.isdigit() else p for p in m.group(1).split("."))


def describe_loc(
    loc: Sequence[Any], blocks: Sequence[BlockState], names: Callable[[str], str]
) -> str:
    """A location like ``("blocks", 1, "items", 0, "reps")`` in words:
    "Core › Glute bridge: reps"."""
    parts = [p for p in loc if not (isinstance(p, str) and "[" in p)]  # pydantic's validator tags
    if (
        len(parts) >= 2
        and parts[0] == "blocks"
        and isinstance(parts[1], int)
        and parts[1] < len(blocks)
    ):
        b = blocks[parts[1]]
        where = f"Block '{b.name or parts[1] + 1}'"
        rest = parts[2:]
        if (
            len(rest) >= 2
            and rest[0] == "items"
            and isinstance(rest[1], int)
            and rest[1] < len(b.items)
        ):
            where += f" › {names(b.items[rest[1]].exercise_id)}"
            rest = rest[2:]
        tail = ".".join(str(p) for p in rest)
        return f"{where}: {tail}" if tail else where
    return ".".join(str(p) for p in parts)


def parse_ids(text: str) -> dict[str, str]:
    """``"clinic: 23-4543; nhs: 943 476 5919"`` as ``{"clinic": "23-4543", "nhs": "943 476 5919"}``
    (a part without ``:`` is an identifier with the system ``id``)."""
    out: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.partition(":")
        if not part.strip():
            continue
        if not sep:
            key, value = "id", part
        if key.strip() and value.strip():
            out[key.strip()] = value.strip()
    return out


def short_number(v: float) -> int | float:
    return int(v) if float(v).is_integer() else round(float(v), 2)


def rough_dose(d: dict[str, Any]) -> str:
    """Dose text for an item that does not resolve yet."""
    bits = []
    if d.get("sets"):
        bits.append(f"{d['sets']} sets")
    if d.get("reps"):
        bits.append(f"{d['reps']} reps")
    if d.get("hold_s") is not None:
        bits.append(f"hold {d['hold_s']} s")
    return ", ".join(bits) or "catalogue dose"
