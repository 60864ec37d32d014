"""A routine under edit, as plain data: the operations behind the routine editor's fields and
buttons, Qt-free so they are tested without a window.

The editor (:class:`coach.ui.routine_editor.RoutineEditorPage`) keeps the routine as the mapping
the YAML file holds, split into the blocks and everything else by
:func:`~coach.routines.yaml_edit.split_blocks`. This module holds what it does to that data:
the defaults of a new routine (:func:`new_routine_data`), reading and writing one key by its
path (:func:`get_in`, :func:`set_in`), the movement restrictions as the safety tab's checkboxes
set them (:func:`merged_restrictions`), an item's key put where a therapist expects it
(:func:`item_with`), an item turned into another exercise (:func:`retarget_item`), an item or a
block moved (:func:`move_entry`), the names the editor shows (:func:`exercise_name`,
:func:`item_label`) and the checker's result as the editor's problem list
(:func:`editor_problems`).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from coach.routines.catalogue import Catalogue
from coach.routines.routine import ROUTINE_SCHEMA, CheckResult, Item
from coach.routines.yaml_edit import (
    ITEM_ORDER,
    BlockState,
    EditorProblem,
    ItemState,
    describe_loc,
    problem_loc,
    short_number,
)

#: The safety tab's restriction keys, in the order a new file gets them.
RESTRICTION_KEYS = ("no_flexion", "no_rotation", "no_extension", "no_lifting_kg_over", "until")

#: A location of a block (item None) or of one item in the editor's tree.
Selection = tuple[int, int | None]


def new_routine_data(today: date) -> dict[str, Any]:
    """An empty routine with sensible defaults (valid once an exercise is added)."""
    return {
        "schema": ROUTINE_SCHEMA,
        "id": f"routine-{today:%Y%m%d}",
        "version": 1,
        "title": "Home exercise routine",
        "author": {"name": "A. Physiotherapist", "role": "physiotherapist"},
        "created": today.isoformat(),
        "safety": {"pain_rules": {"green_max": 3, "amber_max": 5, "next_morning_check": True}},
        "schedule": {"days_per_week": 5, "times_per_day": 1},
        "blocks": [{"name": "Exercises", "items": []}],
    }


# ---------------------------------------------------------------------------------------------
# One key by its path


def get_in(node: Any, path: Sequence[str], default: Any = None) -> Any:
    """The value at ``path`` (e.g. ``("safety", "pain_rules")``), or ``default``."""
    for k in path:
        if not isinstance(node, dict) or k not in node:
            return default
        node = node[k]
    return node


def set_in(root: dict[str, Any], path: Sequence[str], value: Any) -> bool:
    """Set the key at ``path`` (None removes it), creating parents as needed; False when there
    was nothing to do (removing under a parent that does not exist)."""
    node = root
    for k in path[:-1]:
        nxt = node.get(k)
        if not isinstance(nxt, dict):
            if value is None:
                return False
            nxt = {}
            node[k] = nxt
        node = nxt
    if value is None:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return True


def merged_restrictions(
    old: Mapping[str, Any], checked: Mapping[str, bool], lift_kg: float | None, until: str | None
) -> dict[str, Any] | None:
    """The ``safety.restrictions`` mapping after the safety tab changed.

    ``checked`` holds the three movement checkboxes; an unchecked one is left out unless the
    file said ``false`` explicitly (kept). Keys the tab has no widget for are kept, the file's
    key order is kept and new keys follow in :data:`RESTRICTION_KEYS` order. None when nothing
    is restricted any more (the key is removed)."""
    new = {k: v for k, v in old.items() if k not in RESTRICTION_KEYS}
    for key, on in checked.items():
        if on:
            new[key] = True
        elif key in old:
            new[key] = False  # keep an explicit "false" the therapist wrote
    if lift_kg is not None:
        new["no_lifting_kg_over"] = short_number(lift_kg)
    if until is not None:
        new["until"] = until
    ordered = {
        k: new[k]
        for k in [
            *[k for k in old if k in new],
            *[k for k in RESTRICTION_KEYS if k in new and k not in old],
        ]
    }
    ordered.update({k: v for k, v in new.items() if k not in ordered})
    return ordered if any(v not in (False, None) for v in ordered.values()) else None


# ---------------------------------------------------------------------------------------------
# Items and blocks


def item_with(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """``data`` with ``key`` set (None removes it: the catalogue value applies). A new key goes
    to its canonical place (:data:`~coach.routines.yaml_edit.ITEM_ORDER`), where a therapist
    reading the file expects it; an existing key keeps its place."""
    if value is None:
        data.pop(key, None)
        return data
    if key in data:
        data[key] = value
        return data
    data[key] = value
    known = [k for k in ITEM_ORDER if k in data]
    return {k: data[k] for k in [*known, *(k for k in data if k not in ITEM_ORDER)]}


def retarget_item(data: Mapping[str, Any], exercise_id: str) -> tuple[dict[str, Any], list[str]]:
    """The item made exercise ``exercise_id``; its dose and notes stay. A misspelt exercise key
    (``exercize: ...``) is the item's old exercise, so it goes too: returns (data, those keys)."""
    typos = [
        k
        for k in data
        if k not in Item.model_fields
        and difflib.get_close_matches(k, ["exercise"], n=1, cutoff=0.6)
    ]
    rest = {k: v for k, v in data.items() if k not in typos and k != "exercise"}
    return {"exercise": exercise_id, **rest}, typos


def move_entry(blocks: list[BlockState], sel: Selection, step: int) -> Selection | None:
    """Move the selected item (or block, item None) up (-1) or down (+1) in place; items cross
    block borders. Returns where the moved entry is now, None when it could not move."""
    b, i = sel
    if i is None:
        j = b + step
        if not 0 <= j < len(blocks):
            return None
        blocks[b], blocks[j] = blocks[j], blocks[b]
        return (j, None)
    items = blocks[b].items
    j = i + step
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
        return (b, j)
    if not 0 <= b + step < len(blocks):
        return None
    it = items.pop(i)
    dest = blocks[b + step].items
    if step < 0:
        dest.append(it)
        return (b + step, len(dest) - 1)
    dest.insert(0, it)
    return (b + step, 0)


def exercise_name(catalogue: Catalogue, blocks: Sequence[BlockState], exercise_id: str) -> str:
    """The catalogue's name, else a custom exercise's name from the file, else the id."""
    ex = catalogue.exercises.get(exercise_id)
    if ex is not None:
        return ex.name
    for b in blocks:
        for it in b.items:
            c = it.data.get("custom")
            if isinstance(c, dict) and c.get("id") == exercise_id:
                return str(c.get("name", exercise_id))
    return exercise_id


def item_label(it: ItemState, catalogue: Catalogue, name: Callable[[str], str]) -> str:
    """The tree's name for an item; never blank, even when the file is wrong."""
    eid = it.exercise_id
    if eid:
        if "custom" not in it.data and eid not in catalogue.exercises:
            return f"'{eid}' (not in the catalogue)"
        return name(eid)
    unknown = [k for k in it.data if k not in Item.model_fields]
    if unknown:
        k = unknown[0]
        v = it.data[k]
        shown = f"{k}: {v}" if isinstance(v, (str, int, float)) else k
        return f"(no exercise chosen; the file has '{shown}')"
    return "(no exercise chosen)"


# ---------------------------------------------------------------------------------------------
# The checker's result in the editor's words


def editor_problems(
    result: CheckResult, blocks: Sequence[BlockState], name: Callable[[str], str]
) -> list[EditorProblem]:
    """Every problem of ``coach routine check`` (errors, then warnings, in the checker's order,
    wording and line numbers) with the block and exercise it is about in words."""
    problems: list[EditorProblem] = []
    for severity, group in (("error", result.errors), ("warning", result.warnings)):
        for prob in group:
            loc = problem_loc(prob.message)
            problems.append(
                EditorProblem(
                    severity,
                    describe_loc(loc, blocks, name) if loc else "",
                    prob.message,
                    prob.hint,
                    prob.line,
                    loc,
                )
            )
    return problems
