"""The routine editor's Qt-free operations on the plain data (coach.routines.draft)."""

from __future__ import annotations

from datetime import date

from coach.routines.draft import (
    get_in,
    item_with,
    merged_restrictions,
    move_entry,
    new_routine_data,
    retarget_item,
    set_in,
)
from coach.routines.yaml_edit import BlockState, ItemState


def _blocks() -> list[BlockState]:
    a = BlockState({"name": "A"})
    a.items = [ItemState({"exercise": "x1"}), ItemState({"exercise": "x2"})]
    b = BlockState({"name": "B"})
    b.items = [ItemState({"exercise": "y1"})]
    return [a, b]


def _ids(blocks: list[BlockState]) -> list[list[str]]:
    return [[it.exercise_id for it in bl.items] for bl in blocks]


def test_new_routine_is_dated_today() -> None:
    d = new_routine_data(date(2026, 3, 4))
    assert d["id"] == "routine-20260304" and d["created"] == "2026-03-04"
    assert d["blocks"] == [{"name": "Exercises", "items": []}]


def test_set_and_get_by_path() -> None:
    root: dict = {}
    assert set_in(root, ("safety", "pain_rules", "green_max"), 3)
    assert get_in(root, ("safety", "pain_rules", "green_max")) == 3
    assert get_in(root, ("safety", "missing"), "d") == "d"
    assert not set_in(root, ("patient", "display_name"), None)  # nothing to remove
    assert "patient" not in root
    assert set_in(root, ("safety", "pain_rules", "green_max"), None)
    assert root == {"safety": {"pain_rules": {}}}


def test_restrictions_keep_explicit_false_order_and_unknown_keys() -> None:
    old = {"no_rotation": False, "note": "ask first", "no_flexion": True}
    new = merged_restrictions(
        old, {"no_flexion": True, "no_rotation": False, "no_extension": True}, 10.0, None
    )
    assert new is not None
    assert list(new) == ["no_rotation", "note", "no_flexion", "no_extension", "no_lifting_kg_over"]
    assert new["no_rotation"] is False and new["no_lifting_kg_over"] == 10
    # nothing restricted any more: the key goes
    none = merged_restrictions(
        {"no_flexion": True},
        {"no_flexion": False, "no_rotation": False, "no_extension": False},
        None,
        None,
    )
    assert none is None


def test_item_keys_go_to_their_place_and_a_misspelt_exercise_is_replaced() -> None:
    data = {"exercise": "x", "notes": "n"}
    out = item_with(data, "reps", 8)
    assert list(out) == ["exercise", "reps", "notes"]
    assert item_with(dict(out), "reps", None) == {"exercise": "x", "notes": "n"}
    new, typos = retarget_item({"exercize": "old", "reps": 5}, "bird_dog")
    assert new == {"exercise": "bird_dog", "reps": 5} and typos == ["exercize"]


def test_move_entry_crosses_block_borders() -> None:
    blocks = _blocks()
    assert move_entry(blocks, (0, 1), 1) == (1, 0)
    assert _ids(blocks) == [["x1"], ["x2", "y1"]]
    assert move_entry(blocks, (1, 0), -1) == (0, 1)
    assert _ids(blocks) == [["x1", "x2"], ["y1"]]
    assert move_entry(blocks, (0, 0), -1) is None  # already first
    assert move_entry(blocks, (0, None), 1) == (1, None)
    assert [b.name for b in blocks] == ["B", "A"]
