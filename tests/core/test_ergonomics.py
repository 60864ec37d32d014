"""Known-answer tests for the RULA, REBA and NIOSH calculators (DOMAIN §3.5, §3.6, §4.3)
and the ``coach ergonomics`` CLI handlers.

Expected table cells below were typed from DOMAIN's tables, not from the module, so a
transcription error in either shows up as a failure.
"""

from __future__ import annotations

import argparse
import io
import json
import math
from itertools import product

import pytest

from coach.cli import ergonomics as ergonomics_cli
from coach.core import ergonomics as erg
from coach.core.ergonomics import (
    NIOSH_FM_ROWS,
    NIOSH_FM_TABLE,
    REBA_TABLE_A,
    REBA_TABLE_B,
    REBA_TABLE_C,
    RULA_TABLE_A,
    RULA_TABLE_B,
    RULA_TABLE_C,
    NioshInput,
    RebaInput,
    RulaInput,
    compute_niosh,
    compute_reba,
    compute_rula,
)

# ---------------------------------------------------------------------------------------------
# Table shapes and monotonicity (a transcription slip usually breaks one of these)
# ---------------------------------------------------------------------------------------------


def _shape(t: object) -> tuple[int, ...]:
    dims = []
    while isinstance(t, tuple):
        dims.append(len(t))
        t = t[0]
    return tuple(dims)


@pytest.mark.parametrize(
    ("table", "shape"),
    [
        (RULA_TABLE_A, (6, 3, 4, 2)),
        (RULA_TABLE_B, (6, 6, 2)),
        (RULA_TABLE_C, (8, 7)),
        (REBA_TABLE_A, (5, 3, 4)),
        (REBA_TABLE_B, (6, 2, 3)),
        (REBA_TABLE_C, (12, 12)),
        (NIOSH_FM_TABLE, (17, 6)),
    ],
)
def test_table_shapes(table: tuple, shape: tuple[int, ...]) -> None:
    assert _shape(table) == shape


def _cells(table: tuple, shape: tuple[int, ...]):
    for idx in product(*(range(n) for n in shape)):
        v = table
        for i in idx:
            v = v[i]
        yield idx, v


@pytest.mark.parametrize(
    ("table", "shape"),
    [
        (RULA_TABLE_A, (6, 3, 4, 2)),
        (RULA_TABLE_B, (6, 6, 2)),
        (RULA_TABLE_C, (8, 7)),
        (REBA_TABLE_A, (5, 3, 4)),
        (REBA_TABLE_B, (6, 2, 3)),
        (REBA_TABLE_C, (12, 12)),
    ],
)
def test_posture_tables_never_decrease_along_any_axis(table: tuple, shape: tuple[int, ...]) -> None:
    cells = dict(_cells(table, shape))
    for idx, v in cells.items():
        for axis in range(len(shape)):
            nxt = list(idx)
            nxt[axis] += 1
            if nxt[axis] < shape[axis]:
                assert cells[tuple(nxt)] >= v, (idx, axis)


def test_fm_table_decreases_with_frequency_and_duration() -> None:
    assert len(NIOSH_FM_ROWS) == len(NIOSH_FM_TABLE)
    assert list(NIOSH_FM_ROWS) == sorted(NIOSH_FM_ROWS)
    for col in range(6):
        column = [row[col] for row in NIOSH_FM_TABLE]
        assert column == sorted(column, reverse=True)
    for row in NIOSH_FM_TABLE:
        assert row[0] >= row[2] >= row[4] and row[1] >= row[3] >= row[5]
        assert row[1] >= row[0] and row[3] >= row[2] and row[5] >= row[4]


# ---------------------------------------------------------------------------------------------
# Spot checks against the published tables (DOMAIN §3.5 / §3.6)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ua", "la", "wrist", "twist", "expected"),
    [
        (1, 1, 1, 1, 1),
        (1, 1, 1, 2, 2),
        (1, 1, 4, 2, 3),
        (1, 3, 4, 1, 4),
        (2, 1, 3, 2, 4),
        (2, 3, 4, 2, 5),
        (3, 2, 1, 2, 4),
        (3, 3, 3, 2, 5),
        (4, 3, 2, 2, 5),
        (4, 3, 4, 1, 6),
        (5, 1, 4, 2, 7),
        (5, 2, 1, 2, 6),
        (5, 3, 4, 2, 8),
        (6, 1, 1, 1, 7),
        (6, 1, 4, 2, 9),
        (6, 2, 3, 2, 9),
        (6, 3, 1, 1, 9),
    ],
)
def test_rula_table_a_cells(ua: int, la: int, wrist: int, twist: int, expected: int) -> None:
    assert erg.rula_table_a(ua, la, wrist, twist) == expected


@pytest.mark.parametrize(
    ("neck", "trunk", "legs", "expected"),
    [
        (1, 1, 1, 1),
        (1, 1, 2, 3),
        (1, 4, 1, 5),
        (1, 6, 2, 7),
        (2, 3, 2, 5),
        (2, 5, 2, 7),
        (3, 2, 2, 4),
        (3, 4, 2, 6),
        (4, 1, 1, 5),
        (4, 3, 2, 7),
        (4, 6, 1, 8),
        (5, 3, 2, 8),
        (6, 4, 1, 8),
        (6, 4, 2, 9),
        (6, 6, 2, 9),
    ],
)
def test_rula_table_b_cells(neck: int, trunk: int, legs: int, expected: int) -> None:
    assert erg.rula_table_b(neck, trunk, legs) == expected


@pytest.mark.parametrize(
    ("c", "d", "expected"),
    [
        (1, 1, 1),
        (1, 7, 5),
        (2, 4, 4),
        (3, 7, 6),
        (4, 5, 5),
        (5, 6, 7),
        (6, 3, 5),
        (7, 2, 5),
        (8, 4, 7),
        # beyond the table: wrist & arm score caps at 8, neck/trunk/leg score at 7
        (12, 3, 6),
        (3, 11, 6),
        (13, 13, 7),
    ],
)
def test_rula_table_c_cells_and_caps(c: int, d: int, expected: int) -> None:
    assert erg.rula_table_c(c, d) == expected


@pytest.mark.parametrize(
    ("trunk", "neck", "legs", "expected"),
    [
        (1, 1, 1, 1),
        (1, 3, 1, 3),
        (1, 3, 4, 6),
        (2, 2, 3, 5),
        (3, 1, 2, 4),
        (3, 3, 4, 8),
        (4, 2, 1, 5),
        (5, 1, 4, 8),
        (5, 3, 3, 9),
        (5, 3, 4, 9),
    ],
)
def test_reba_table_a_cells(trunk: int, neck: int, legs: int, expected: int) -> None:
    assert erg.reba_table_a(trunk, neck, legs) == expected


@pytest.mark.parametrize(
    ("ua", "la", "wrist", "expected"),
    [
        (1, 1, 3, 2),
        (1, 2, 3, 3),
        (2, 2, 3, 4),
        (3, 1, 1, 3),
        (3, 2, 3, 5),
        (4, 2, 3, 7),
        (5, 1, 2, 7),
        (6, 1, 1, 7),
        (6, 2, 3, 9),
    ],
)
def test_reba_table_b_cells(ua: int, la: int, wrist: int, expected: int) -> None:
    assert erg.reba_table_b(ua, la, wrist) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (1, 1, 1),
        (1, 4, 2),
        (1, 12, 7),
        (2, 12, 8),
        (3, 6, 5),
        (5, 4, 5),
        (6, 1, 6),
        (6, 9, 10),
        (7, 10, 11),
        (8, 5, 10),
        (9, 7, 11),
        (10, 8, 12),
        (11, 4, 11),
        (11, 5, 12),
        (12, 1, 12),
    ],
)
def test_reba_table_c_cells(a: int, b: int, expected: int) -> None:
    assert erg.reba_table_c(a, b) == expected


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: erg.rula_table_a(7, 1, 1, 1), "upper_arm score must be an integer 1–6"),
        (lambda: erg.rula_table_a(1, 4, 1, 1), "lower_arm score must be an integer 1–3"),
        (lambda: erg.rula_table_a(1, 1, 5, 1), "wrist score must be an integer 1–4"),
        (lambda: erg.rula_table_a(1, 1, 1, 3), "wrist_twist score must be an integer 1–2"),
        (lambda: erg.rula_table_b(0, 1, 1), "neck score must be an integer 1–6"),
        (lambda: erg.rula_table_c(0, 1), "score_c must be an integer 1–99"),
        (lambda: erg.reba_table_a(6, 1, 1), "trunk score must be an integer 1–5"),
        (lambda: erg.reba_table_b(1, 3, 1), "lower_arm score must be an integer 1–2"),
        (lambda: erg.reba_table_c(13, 1), "score_a must be an integer 1–12"),
        (lambda: erg.rula_action(8), "grand_score must be an integer 1–7"),
        (lambda: erg.reba_action(16), "reba_score must be an integer 1–15"),
    ],
)
def test_table_lookups_reject_out_of_table_indices(call, match) -> None:
    with pytest.raises(ValueError, match=match):
        call()


# ---------------------------------------------------------------------------------------------
# RULA body-part bands and edges  [S: RULA93]
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("angle", "expected"),
    [
        (-30, 2),
        (-20.01, 2),
        (-20, 1),
        (0, 1),
        (20, 1),
        (20.01, 2),
        (45, 2),
        (45.1, 3),
        (90, 3),
        (90.1, 4),
        (170, 4),
    ],
)
def test_rula_upper_arm_bands(angle: float, expected: int) -> None:
    assert erg.rula_upper_arm_score(angle) == expected


def test_rula_upper_arm_adjustments_and_clamp() -> None:
    assert erg.rula_upper_arm_score(100, shoulder_raised=True, abducted=True) == 6
    assert erg.rula_upper_arm_score(30, supported=True) == 1
    assert erg.rula_upper_arm_score(0, supported=True) == 1  # never below 1


@pytest.mark.parametrize(
    ("angle", "expected"), [(0, 2), (59.9, 2), (60, 1), (80, 1), (100, 1), (100.1, 2)]
)
def test_rula_lower_arm_bands(angle: float, expected: int) -> None:
    assert erg.rula_lower_arm_score(angle) == expected
    assert erg.rula_lower_arm_score(angle, across_midline_or_out=True) == expected + 1


@pytest.mark.parametrize(
    ("angle", "expected"), [(0, 1), (0.5, 2), (15, 2), (-15, 2), (15.1, 3), (-40, 3), (None, 2)]
)
def test_rula_wrist_bands_and_webcam_default(angle: float | None, expected: int) -> None:
    assert erg.rula_wrist_score(angle) == expected
    assert erg.rula_wrist_score(angle, deviated=True) == expected + 1


def test_rula_wrist_twist() -> None:
    assert erg.rula_wrist_twist_score() == 1
    assert erg.rula_wrist_twist_score(True) == 2


@pytest.mark.parametrize(
    ("angle", "expected"),
    [(0, 1), (10, 1), (10.01, 2), (20, 2), (20.01, 3), (45, 3), (-0.1, 4), (-20, 4)],
)
def test_rula_neck_bands_edges(angle: float, expected: int) -> None:
    assert erg.rula_neck_score(angle) == expected
    assert erg.rula_neck_score(angle, twisted=True, side_bent=True) == expected + 2


@pytest.mark.parametrize(
    ("angle", "expected"),
    [(-10, 1), (0, 1), (0.1, 2), (20, 2), (20.1, 3), (60, 3), (60.1, 4), (90, 4)],
)
def test_rula_trunk_bands_edges(angle: float, expected: int) -> None:
    assert erg.rula_trunk_score(angle) == expected
    assert erg.rula_trunk_score(angle, twisted=True) == expected + 1
    assert erg.rula_trunk_score(angle, twisted=True, side_bent=True) == expected + 2


def test_rula_trunk_well_supported_sitting_scores_one() -> None:
    assert erg.rula_trunk_score(15, well_supported=True) == 1
    assert erg.rula_trunk_score(15, well_supported=True, side_bent=True) == 2


def test_rula_legs() -> None:
    assert erg.rula_legs_score() == 1  # webcam default: seated, supported (§3.7)
    assert erg.rula_legs_score(False) == 2


@pytest.mark.parametrize(
    ("kg", "static", "shock", "expected"),
    [
        (0, False, False, 0),
        (1.9, True, False, 0),
        (2, False, False, 1),
        (10, False, False, 1),
        (2, True, False, 2),
        (10.1, False, False, 2),
        (10, True, False, 2),
        (10.1, True, False, 3),
        (0, False, True, 3),
    ],
)
def test_rula_force_bands(kg: float, static: bool, shock: bool, expected: int) -> None:
    assert erg.rula_force_score(kg, static_or_repeated=static, shock=shock) == expected


@pytest.mark.parametrize(
    ("grand", "level"), [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4)]
)
def test_rula_action_levels(grand: int, level: int) -> None:
    got_level, text = erg.rula_action(grand)
    assert got_level == level
    assert text == erg.RULA_ACTIONS[level]


# ---------------------------------------------------------------------------------------------
# RULA worked examples (hand-computed)
# ---------------------------------------------------------------------------------------------


def test_rula_worked_example_office_typist() -> None:
    # Upper arm 45° → 2, +1 shoulder raised = 3; lower arm 80° → 1; wrist 10° → 2;
    # twist mid-range → 1. Table A[3][1][2][1] = 4; + muscle 0 + force 0 → C = 4.
    # Neck 25° → 3; trunk 15° → 2; legs supported → 1. Table B[3][2][1] = 3 → D = 3.
    # Table C[4][3] = 3 → action level 2.
    r = compute_rula(
        RulaInput(upper_arm=45, lower_arm=80, wrist=10, neck=25, trunk=15, shoulder_raised=True)
    )
    assert (r.upper_arm, r.lower_arm, r.wrist, r.wrist_twist) == (3, 1, 2, 1)
    assert (r.posture_a, r.muscle_a, r.force_a, r.score_c) == (4, 0, 0, 4)
    assert (r.neck, r.trunk, r.legs) == (3, 2, 1)
    assert (r.posture_b, r.muscle_b, r.force_b, r.score_d) == (3, 0, 0, 3)
    assert (r.grand_score, r.action_level) == (3, 2)
    assert r.action == "Further investigation needed; changes may be required"
    # Ties on the grand score are broken by how many points a factor adds: neck (+2) first.
    assert r.drivers[0] == "neck flexed more than 20°"
    assert set(r.drivers) == {
        "neck flexed more than 20°",
        "upper arm raised 20–45°",
        "shoulder raised",
        "wrist bent up to 15°",
        "trunk flexed up to 20°",
    }


def test_rula_worked_example_worst_case_caps() -> None:
    # Upper arm 100° → 4, +1 abducted = 5; lower arm 120° → 2, +1 across midline = 3;
    # wrist 20° → 3, +1 deviated = 4; twist at end of range → 2. Table A[5][3][4][2] = 8;
    # + muscle 1 + force 2 → C = 11 (Table C row capped at 8).
    # Neck −5° (extension) → 4, +1 twisted = 5; trunk 70° → 4, +1 side-bent = 5; legs
    # unsupported → 2. Table B[5][5][2] = 8; + muscle 1 + force 2 → D = 11 (capped at 7).
    # Table C[8][7] = 7 → action level 4.
    r = compute_rula(
        RulaInput(
            upper_arm=100,
            lower_arm=120,
            wrist=20,
            neck=-5,
            trunk=70,
            arm_abducted=True,
            arm_across_midline_or_out=True,
            wrist_deviated=True,
            wrist_twist_end_range=True,
            muscle_use_a=True,
            force_a=2,
            neck_twisted=True,
            trunk_side_bent=True,
            legs_supported=False,
            muscle_use_b=True,
            force_b=2,
        )
    )
    assert (r.upper_arm, r.lower_arm, r.wrist, r.wrist_twist, r.posture_a) == (5, 3, 4, 2, 8)
    assert (r.muscle_a, r.force_a, r.score_c) == (1, 2, 11)
    assert (r.neck, r.trunk, r.legs, r.posture_b) == (5, 5, 2, 8)
    assert (r.muscle_b, r.force_b, r.score_d) == (1, 2, 11)
    assert (r.grand_score, r.action_level) == (7, 4)
    assert r.action == "Investigation and changes required immediately"


def test_rula_neutral_posture_has_no_drivers() -> None:
    # Everything in its first band; arm support cannot take the upper arm below 1.
    r = compute_rula(
        RulaInput(
            upper_arm=10,
            lower_arm=80,
            wrist=0,
            neck=5,
            trunk=10,
            trunk_supported=True,
            arm_supported=True,
        )
    )
    assert (r.posture_a, r.posture_b, r.grand_score, r.action_level) == (1, 1, 1, 1)
    assert r.drivers == ()


def test_rula_drivers_rank_by_effect_on_the_grand_score() -> None:
    # Wrist unobserved → 2 (default, not a driver). Table A[1][1][2][1] = 2 → C = 2.
    # Neck 15° → 2, trunk 65° → 4: Table B[2][4][1] = 5 → Table C[2][5] = 4.
    # Straightening the trunk gives B[2][1][1] = 2 → grand 2 (−2); fixing the neck gives
    # B[1][4][1] = 5 → grand 4 (−0). So the trunk leads although both are listed.
    r = compute_rula(RulaInput(upper_arm=10, lower_arm=80, neck=15, trunk=65))
    assert (r.wrist, r.posture_a, r.posture_b, r.grand_score) == (2, 2, 5, 4)
    assert r.drivers == ("trunk flexed more than 60°", "neck flexed 10–20°")


def test_rula_neck_extension_alone() -> None:
    r = compute_rula(RulaInput(upper_arm=10, lower_arm=80, wrist=0, neck=-5, trunk=0))
    assert (r.neck, r.posture_b, r.grand_score) == (4, 5, 4)
    assert r.drivers == ("neck extended",)


def test_rula_webcam_defaults() -> None:
    # §3.7: wrist 2, no deviation, twist 1, force 0, not supported, legs 1.
    inp = RulaInput(upper_arm=0, lower_arm=80, neck=0, trunk=0)
    r = compute_rula(inp)
    assert (r.wrist, r.wrist_twist, r.force_a, r.force_b, r.legs) == (2, 1, 0, 0, 1)
    assert inp.arm_supported is False and inp.wrist is None


# ---------------------------------------------------------------------------------------------
# REBA bands, edges and worked examples  [S: REBA2000]
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("angle", "expected"),
    [(0, 1), (5, 2), (20, 2), (-20, 2), (20.1, 3), (60, 3), (-20.1, 3), (-45, 3), (60.1, 4)],
)
def test_reba_trunk_bands(angle: float, expected: int) -> None:
    assert erg.reba_trunk_score(angle) == expected


def test_reba_trunk_and_neck_twist_or_side_bend_add_once() -> None:
    assert erg.reba_trunk_score(70, twisted=True, side_bent=True) == 5
    assert erg.reba_neck_score(30, twisted=True, side_bent=True) == 3


@pytest.mark.parametrize(("angle", "expected"), [(0, 1), (20, 1), (20.1, 2), (-0.1, 2), (-30, 2)])
def test_reba_neck_bands(angle: float, expected: int) -> None:
    assert erg.reba_neck_score(angle) == expected


@pytest.mark.parametrize(
    ("unilateral", "knee", "sitting", "expected"),
    [
        (False, None, False, 1),
        (True, None, False, 2),
        (False, 29.9, False, 1),
        (False, 30, False, 2),
        (False, 60, False, 2),
        (False, 60.1, False, 3),
        (True, 90, False, 4),
        (False, 90, True, 1),  # sitting: no +2 for knees > 60°
        (False, 45, True, 2),
    ],
)
def test_reba_legs(unilateral: bool, knee: float | None, sitting: bool, expected: int) -> None:
    assert erg.reba_legs_score(unilateral=unilateral, knee_flex=knee, sitting=sitting) == expected


@pytest.mark.parametrize(("angle", "expected"), [(0, 1), (15, 1), (-15, 1), (15.1, 2), (None, 1)])
def test_reba_wrist(angle: float | None, expected: int) -> None:
    assert erg.reba_wrist_score(angle) == expected
    assert erg.reba_wrist_score(angle, deviated_or_twisted=True) == expected + 1


def test_reba_arms() -> None:
    assert erg.reba_upper_arm_score(50) == 3
    assert erg.reba_upper_arm_score(95, abducted_or_rotated=True, shoulder_raised=True) == 6
    assert erg.reba_upper_arm_score(10, supported=True) == 1
    assert [erg.reba_lower_arm_score(a) for a in (59, 60, 100, 101)] == [2, 1, 1, 2]


@pytest.mark.parametrize(
    ("kg", "shock", "expected"),
    [
        (0, False, 0),
        (4.9, False, 0),
        (5, False, 1),
        (10, False, 1),
        (10.1, False, 2),
        (12, True, 3),
    ],
)
def test_reba_load(kg: float, shock: bool, expected: int) -> None:
    assert erg.reba_load_score(kg, shock=shock) == expected


def test_reba_coupling_and_activity() -> None:
    assert [erg.reba_coupling_score(c) for c in ("good", "fair", "Poor", "unacceptable")] == [
        0,
        1,
        2,
        3,
    ]
    assert erg.reba_activity_score() == 0
    assert (
        erg.reba_activity_score(static_posture=True, repeated_actions=True, rapid_changes=True) == 3
    )


@pytest.mark.parametrize(
    ("score", "level", "risk"),
    [
        (1, 0, "negligible"),
        (2, 1, "low"),
        (3, 1, "low"),
        (4, 2, "medium"),
        (7, 2, "medium"),
        (8, 3, "high"),
        (10, 3, "high"),
        (11, 4, "very high"),
        (15, 4, "very high"),
    ],
)
def test_reba_action_levels(score: int, level: int, risk: str) -> None:
    assert erg.reba_action(score)[:2] == (level, risk)


def test_reba_worked_example_moderate_lift() -> None:
    # Trunk 30° → 3; neck 25° → 2; legs bilateral 1, knees 40° +1 → 2. Table A[3][2][2] = 5;
    # load 7 kg → 1 → score A 6. Upper arm 50° → 3; lower arm 50° → 2; wrist unobserved → 1.
    # Table B[3][2][1] = 4; coupling fair (default) 1 → score B 5. Table C[6][5] = 8;
    # activity 0 → REBA 8 → action level 3, high.
    r = compute_reba(
        RebaInput(trunk=30, neck=25, upper_arm=50, lower_arm=50, load_kg=7, knee_flex=40)
    )
    assert (r.trunk, r.neck, r.legs, r.posture_a, r.load, r.score_a) == (3, 2, 2, 5, 1, 6)
    assert (r.upper_arm, r.lower_arm, r.wrist, r.posture_b, r.coupling, r.score_b) == (
        3,
        2,
        1,
        4,
        1,
        5,
    )
    assert (r.score_c, r.activity, r.reba_score) == (8, 0, 8)
    assert (r.action_level, r.risk) == (3, "high")
    assert r.drivers[0] == "trunk flexed 20–60°"
    assert "fair hand hold (coupling)" in r.drivers


def test_reba_worked_example_maximum() -> None:
    # Trunk 70° → 4, +1 twisted = 5; neck −10° → 2, +1 side-bent = 3; legs unilateral 2,
    # knees 70° standing +2 = 4. Table A[5][3][4] = 9; load 12 kg → 2, +1 shock = 3 → A = 12.
    # Upper arm 100° → 4, +1 abducted, +1 shoulder raised = 6; lower arm 120° → 2; wrist 20° → 2,
    # +1 twisted = 3. Table B[6][2][3] = 9; coupling unacceptable 3 → B = 12.
    # Table C[12][12] = 12; activity 3 → 15, very high.
    r = compute_reba(
        RebaInput(
            trunk=70,
            neck=-10,
            upper_arm=100,
            lower_arm=120,
            wrist=20,
            trunk_twisted=True,
            neck_side_bent=True,
            legs_unilateral=True,
            knee_flex=70,
            load_kg=12,
            shock=True,
            arm_abducted=True,
            shoulder_raised=True,
            wrist_twisted=True,
            coupling="unacceptable",
            static_posture=True,
            repeated_actions=True,
            rapid_changes=True,
        )
    )
    assert (r.trunk, r.neck, r.legs, r.posture_a, r.load, r.score_a) == (5, 3, 4, 9, 3, 12)
    assert (r.upper_arm, r.lower_arm, r.wrist, r.posture_b, r.coupling, r.score_b) == (
        6,
        2,
        3,
        9,
        3,
        12,
    )
    assert (r.score_c, r.activity, r.reba_score, r.action_level, r.risk) == (
        12,
        3,
        15,
        4,
        "very high",
    )


def test_reba_neutral() -> None:
    r = compute_reba(
        RebaInput(trunk=0, neck=10, upper_arm=0, lower_arm=90, wrist=0, coupling="good")
    )
    assert (r.reba_score, r.action_level, r.risk, r.drivers) == (1, 0, "negligible", ())


# ---------------------------------------------------------------------------------------------
# NIOSH  [S: NIOSH94; Waters1993]
# ---------------------------------------------------------------------------------------------


def _ideal(**kw) -> NioshInput:
    base = dict(
        load_kg=11.5,
        h_cm=25,
        v_cm=75,
        d_cm=25,
        a_deg=0,
        frequency_per_min=0.2,
        duration="short",
        coupling="good",
    )
    base.update(kw)
    return NioshInput(**base)


def test_niosh_ideal_lift_gives_load_constant() -> None:
    r = compute_niosh(_ideal())
    assert (r.hm, r.vm, r.dm, r.am, r.fm, r.cm) == (1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
    assert r.rwl_kg == pytest.approx(23.0)
    assert r.lifting_index == pytest.approx(11.5 / 23.0)
    assert r.interpretation.startswith("LI ≤ 1.0")
    assert r.drivers == ()


@pytest.mark.parametrize("load", [0.0, 23.0, 30.0, 69.0, 80.0])
def test_niosh_ideal_lift_index_is_load_over_23(load: float) -> None:
    assert compute_niosh(_ideal(load_kg=load)).lifting_index == pytest.approx(load / 23.0)


@pytest.mark.parametrize(
    ("h", "hm"),
    [
        (0, 1.0),
        (10, 1.0),
        (25, 1.0),
        (40, 0.625),
        (50, 0.5),
        (63, 25 / 63),
        (63.01, 0.0),
        (80, 0.0),
    ],
)
def test_hm(h: float, hm: float) -> None:
    assert erg.niosh_hm(h) == pytest.approx(hm)


@pytest.mark.parametrize(
    ("v", "vm"), [(0, 0.775), (30, 0.865), (75, 1.0), (100, 0.925), (175, 0.70), (175.1, 0.0)]
)
def test_vm(v: float, vm: float) -> None:
    assert erg.niosh_vm(v) == pytest.approx(vm)


@pytest.mark.parametrize(
    ("d", "dm"),
    [
        (0, 1.0),
        (24.9, 1.0),
        (25, 1.0),
        (50, 0.91),
        (100, 0.865),
        (175, 0.82 + 4.5 / 175),
        (175.1, 0.0),
    ],
)
def test_dm(d: float, dm: float) -> None:
    assert erg.niosh_dm(d) == pytest.approx(dm)
    assert erg.niosh_dm(d) <= 1.0


@pytest.mark.parametrize(
    ("a", "am"), [(0, 1.0), (30, 0.904), (90, 0.712), (135, 0.568), (135.1, 0.0), (180, 0.0)]
)
def test_am(a: float, am: float) -> None:
    assert erg.niosh_am(a) == pytest.approx(am)


@pytest.mark.parametrize(
    ("f", "duration", "v", "fm"),
    [
        (0.2, "short", 30, 1.00),
        (0.0, "short", 30, 1.00),  # below 0.2 → treated as 0.2
        (0.1, "long", 30, 0.85),
        (0.5, "moderate", 80, 0.92),
        (1, "long", 30, 0.75),
        (4, "short", 100, 0.84),
        (5, "moderate", 30, 0.60),
        (8, "long", 75, 0.18),
        (9, "long", 74.9, 0.00),
        (9, "long", 75, 0.15),
        (10, "long", 75, 0.13),
        (11, "moderate", 30, 0.00),
        (12, "moderate", 80, 0.21),
        (12, "short", 30, 0.37),
        (13, "short", 30, 0.00),
        (15, "short", 80, 0.28),
        (15.01, "short", 80, 0.00),
        (20, "short", 80, 0.00),
    ],
)
def test_fm_table_points(f: float, duration: str, v: float, fm: float) -> None:
    assert erg.niosh_fm(f, duration, v) == pytest.approx(fm)


def test_fm_interpolates_between_rows_but_not_past_the_frequency_limit() -> None:
    assert erg.niosh_fm(2.5, "short", 30) == pytest.approx((0.91 + 0.88) / 2)
    assert erg.niosh_fm(0.35, "short", 30) == pytest.approx((1.00 + 0.97) / 2)
    assert erg.niosh_fm(12.5, "short", 80) == pytest.approx((0.37 + 0.34) / 2)
    # 12 lifts/min is the last non-zero row for short duration, V < 75: above it FM = 0.
    assert erg.niosh_fm(12.5, "short", 30) == 0.0
    assert erg.niosh_fm(8.5, "long", 30) == 0.0


@pytest.mark.parametrize(
    ("hours", "category"),
    [
        (0.25, "short"),
        (1, "short"),
        (1.01, "moderate"),
        (2, "moderate"),
        (2.5, "long"),
        (8, "long"),
        (10, "long"),
    ],
)
def test_duration_from_hours(hours: float, category: str) -> None:
    assert erg.niosh_duration_category(hours) == category
    assert erg.niosh_fm(1, hours, 30) == erg.niosh_fm(1, category, 30)


def test_duration_names() -> None:
    assert erg.niosh_duration_category("Long") == "long"
    for bad in ("weekly", 0, -1, 25):
        with pytest.raises(ValueError, match="duration"):
            erg.niosh_duration_category(bad)


@pytest.mark.parametrize(
    ("coupling", "v", "cm"),
    [
        ("good", 30, 1.0),
        ("good", 80, 1.0),
        ("fair", 74.9, 0.95),
        ("fair", 75, 1.0),
        ("poor", 30, 0.9),
        ("poor", 100, 0.9),
    ],
)
def test_cm(coupling: str, v: float, cm: float) -> None:
    assert erg.niosh_cm(coupling, v) == cm


def test_niosh_worked_example_hand_computed() -> None:
    # 15 kg, H 40 cm, V 30 cm, D 50 cm, A 30°, 2 lifts/min for 1.5 h (moderate), poor grip.
    # HM = 25/40 = 0.625; VM = 1 − 0.003·45 = 0.865; DM = 0.82 + 4.5/50 = 0.91;
    # AM = 1 − 0.0032·30 = 0.904; FM (moderate, V < 75, F 2) = 0.84; CM (poor, V < 75) = 0.90.
    # RWL = 23 × 0.625 × 0.865 × 0.91 × 0.904 × 0.84 × 0.90 ≈ 7.733 kg; LI = 15/7.733 ≈ 1.94.
    r = compute_niosh(NioshInput(15, 40, 30, 50, 30, 2, 1.5, "poor"))
    assert (r.hm, r.vm, r.dm, r.am, r.fm, r.cm) == pytest.approx(
        (0.625, 0.865, 0.91, 0.904, 0.84, 0.90)
    )
    assert r.duration_category == "moderate"
    assert r.rwl_kg == pytest.approx(7.733, abs=1e-3)
    assert r.lifting_index == pytest.approx(1.940, abs=1e-3)
    assert r.interpretation.startswith("LI > 1.0")
    assert r.drivers[0].startswith("HM 0.62")  # the smallest multiplier leads


def test_niosh_ccohs_sanity_check() -> None:
    # CCOHS-freq: 10 kg, H 20, V 75, D 0, A 90°, 10 lifts/min, fair grip; CCOHS prints
    # RWL ≈ 2.1 kg using FM 0.13 (the 2–8 h column) and VM 0.99. The formula gives VM 1.00,
    # so we land at 23 × 0.712 × 0.13 = 2.13 kg, within the ±0.1 kg DOMAIN allows.
    r = compute_niosh(NioshInput(10, 20, 75, 0, 90, 10, "long", "fair"))
    assert r.fm == 0.13 and r.vm == 1.0 and r.cm == 1.0
    assert r.rwl_kg == pytest.approx(2.1, abs=0.1)
    assert r.lifting_index > 3.0 and r.interpretation.startswith("LI > 3.0")
    # The redesigned task with FM 0.75 → ≈ 12.1 kg (CCOHS).
    assert 23 * r.hm * 0.99 * r.dm * r.am * 0.75 * r.cm == pytest.approx(12.1, abs=0.1)


def test_niosh_out_of_range_rules() -> None:
    r = compute_niosh(_ideal(h_cm=70))
    assert r.hm == 0.0 and r.rwl_kg == 0.0
    assert math.isinf(r.lifting_index)
    assert r.interpretation.startswith("RWL is 0 kg")
    assert any("H 70 cm > 63 cm" in n for n in r.notes)
    assert compute_niosh(_ideal(h_cm=70, load_kg=0)).lifting_index == 0.0
    assert compute_niosh(_ideal(v_cm=180)).vm == 0.0
    assert compute_niosh(_ideal(d_cm=200)).dm == 0.0
    assert compute_niosh(_ideal(a_deg=150)).am == 0.0
    r = compute_niosh(_ideal(h_cm=10, d_cm=5, frequency_per_min=0.05))
    assert r.rwl_kg == pytest.approx(23.0)
    assert any("H 10 cm < 25 cm" in n for n in r.notes)
    assert any("F below 0.2" in n for n in r.notes)
    assert any(
        "over 8 h" in n or "exceeds 8 h" in n for n in compute_niosh(_ideal(duration=9)).notes
    )


@pytest.mark.parametrize(
    ("li", "start"),
    [
        (0.0, "LI ≤ 1.0"),
        (1.0, "LI ≤ 1.0"),
        (1.01, "LI > 1.0"),
        (3.0, "LI > 1.0"),
        (3.01, "LI > 3.0"),
    ],
)
def test_niosh_interpretation_band_edges(li: float, start: str) -> None:
    assert erg.niosh_interpretation(li).startswith(start)


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (
            lambda: RulaInput(upper_arm=181, lower_arm=80, neck=0, trunk=0),
            "upper_arm must be <= 180",
        ),
        (lambda: RulaInput(upper_arm=0, lower_arm=-5, neck=0, trunk=0), "lower_arm must be >= 0"),
        (
            lambda: RulaInput(upper_arm=0, lower_arm=80, neck=float("nan"), trunk=0),
            "neck must be a finite number",
        ),
        (
            lambda: RulaInput(upper_arm=0, lower_arm=80, neck=0, trunk=0, wrist=200),
            "wrist must be <= 180",
        ),
        (
            lambda: RulaInput(upper_arm=0, lower_arm=80, neck=0, trunk=0, force_a=4),
            "force_a must be an integer 0–3",
        ),
        (
            lambda: RulaInput(upper_arm=0, lower_arm=80, neck=0, trunk=0, force_b=1.0),
            "force_b must be an integer 0–3",
        ),
        (
            lambda: RulaInput(upper_arm=0, lower_arm=80, neck=0, trunk=0, shoulder_raised=1),
            "shoulder_raised must be true or false",
        ),
        (
            lambda: RulaInput(upper_arm="45", lower_arm=80, neck=0, trunk=0),
            "upper_arm must be a number",
        ),
        (
            lambda: RebaInput(trunk=0, neck=0, upper_arm=0, lower_arm=80, load_kg=-1),
            "load_kg must be >= 0",
        ),
        (
            lambda: RebaInput(trunk=0, neck=0, upper_arm=0, lower_arm=80, coupling="excellent"),
            "coupling must be one of good, fair, poor, unacceptable",
        ),
        (
            lambda: RebaInput(trunk=0, neck=0, upper_arm=0, lower_arm=80, knee_flex=-10),
            "knee_flex must be >= 0",
        ),
        (
            lambda: RebaInput(trunk=0, neck=0, upper_arm=0, lower_arm=80, sitting="yes"),
            "sitting must be true or false",
        ),
        (lambda: NioshInput(-1, 25, 75, 25, 0, 1, "short"), "load_kg must be >= 0"),
        (lambda: NioshInput(10, -1, 75, 25, 0, 1, "short"), "h_cm must be >= 0"),
        (lambda: NioshInput(10, 25, -1, 25, 0, 1, "short"), "v_cm must be >= 0"),
        (lambda: NioshInput(10, 25, 75, -1, 0, 1, "short"), "d_cm must be >= 0"),
        (lambda: NioshInput(10, 25, 75, 25, 181, 1, "short"), "a_deg must be <= 180"),
        (lambda: NioshInput(10, 25, 75, 25, -5, 1, "short"), "a_deg must be >= 0"),
        (lambda: NioshInput(10, 25, 75, 25, 0, -1, "short"), "frequency_per_min must be >= 0"),
        (
            lambda: NioshInput(10, 25, 75, 25, 0, 1, "forever"),
            "duration must be short, moderate, long or a number of hours",
        ),
        (
            lambda: NioshInput(10, 25, 75, 25, 0, 1, "short", "unacceptable"),
            "coupling must be good, fair or poor",
        ),
        (
            lambda: NioshInput(float("inf"), 25, 75, 25, 0, 1, "short"),
            "load_kg must be a finite number",
        ),
        (lambda: erg.rula_force_score(-2), "load_kg must be >= 0"),
        (lambda: erg.reba_load_score(-0.1), "load_kg must be >= 0"),
        (lambda: erg.niosh_interpretation(-1), "lifting_index must be a number >= 0"),
        (
            lambda: compute_rula(RebaInput(trunk=0, neck=0, upper_arm=0, lower_arm=80)),
            "compute_rula needs a RulaInput",
        ),
    ],
)
def test_impossible_values_raise_value_error(build, match) -> None:
    with pytest.raises(ValueError, match=match):
        build()


def test_error_message_names_the_field() -> None:
    with pytest.raises(ValueError, match="load_kg"):
        NioshInput(-1, 25, 75, 25, 0, 1, "short")
    with pytest.raises(ValueError, match="neck"):
        RulaInput(upper_arm=0, lower_arm=80, neck=300, trunk=0)


def test_from_dict_and_to_dict_round_trip() -> None:
    inp = RulaInput(upper_arm=45, lower_arm=80, neck=25, trunk=15, shoulder_raised=True)
    assert erg.from_dict(RulaInput, erg.to_dict(inp)) == inp
    with pytest.raises(ValueError, match="unknown"):
        erg.from_dict(
            RulaInput, {"upper_arm": 1, "lower_arm": 80, "neck": 0, "trunk": 0, "elbow": 3}
        )
    with pytest.raises(ValueError, match="missing"):
        erg.from_dict(RulaInput, {"upper_arm": 1})
    d = erg.to_dict(compute_niosh(_ideal(h_cm=70)))
    assert d["lifting_index"] is None and isinstance(d["notes"], list)
    json.dumps(d, allow_nan=False)


def test_core_module_has_no_gui_imports() -> None:
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(erg))
    names = {
        a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    names |= {
        (n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
    }
    assert not names & {"PySide6", "cv2", "mediapipe"}


# ---------------------------------------------------------------------------------------------
# CLI (handlers called with parsed args)
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="coach")
    sub = p.add_subparsers(dest="command")
    ergonomics_cli.add_parser(sub)
    return p


def _run(parser: argparse.ArgumentParser, argv: list[str]) -> int:
    args = parser.parse_args(["ergonomics", *argv])
    return args.func(args)


def test_cli_rula_options_json(parser, capsys) -> None:
    rc = _run(
        parser,
        [
            "rula",
            "--upper-arm",
            "45",
            "--lower-arm",
            "80",
            "--wrist",
            "10",
            "--neck",
            "25",
            "--trunk",
            "15",
            "--shoulder-raised",
            "--json",
        ],
    )
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["method"] == "rula"
    assert doc["input"]["shoulder_raised"] is True and doc["input"]["wrist"] == 10
    res = doc["result"]
    assert (res["posture_a"], res["score_c"], res["posture_b"], res["score_d"]) == (4, 4, 3, 3)
    assert (res["grand_score"], res["action_level"]) == (3, 2)
    assert res["drivers"][0] == "neck flexed more than 20°"


def test_cli_rula_text_worksheet(parser, capsys) -> None:
    rc = _run(
        parser, ["rula", "--upper-arm", "45", "--lower-arm", "80", "--neck", "25", "--trunk", "15"]
    )
    out = capsys.readouterr().out
    assert rc == 0
    for label in (
        "Upper arm",
        "Posture score A (Table A)",
        "Posture score B (Table B)",
        "Grand score (Table C)",
        "Action level",
        "What drives it",
    ):
        assert label in out


def test_cli_reba_from_file_with_option_override(parser, capsys, tmp_path) -> None:
    f = tmp_path / "reba.json"
    f.write_text(
        json.dumps(
            {
                "trunk": 30,
                "neck": 25,
                "upper_arm": 50,
                "lower_arm": 50,
                "load_kg": 20,
                "knee_flex": 40,
            }
        )
    )
    rc = _run(parser, ["reba", "--input", str(f), "--load-kg", "7", "--json"])
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["input"]["load_kg"] == 7.0  # the option wins over the file
    assert (doc["result"]["reba_score"], doc["result"]["risk"]) == (8, "high")


def test_cli_legs_flag_negation(parser, capsys) -> None:
    rc = _run(
        parser,
        [
            "rula",
            "--upper-arm",
            "0",
            "--lower-arm",
            "80",
            "--neck",
            "0",
            "--trunk",
            "0",
            "--no-legs-supported",
            "--json",
        ],
    )
    assert rc == 0
    assert json.loads(capsys.readouterr().out)["result"]["legs"] == 2


def test_cli_niosh_stdin_json(parser, capsys, monkeypatch) -> None:
    doc = {
        "load_kg": 11.5,
        "h_cm": 25,
        "v_cm": 75,
        "d_cm": 25,
        "a_deg": 0,
        "frequency_per_min": 0.2,
        "duration": "short",
        "coupling": "good",
    }
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(doc)))
    rc = _run(parser, ["niosh", "--input", "-", "--json"])
    assert rc == 0
    res = json.loads(capsys.readouterr().out)["result"]
    assert res["rwl_kg"] == pytest.approx(23.0)
    assert res["lifting_index"] == pytest.approx(0.5)
    for key in ("hm", "vm", "dm", "am", "fm", "cm", "interpretation"):
        assert key in res


def test_cli_niosh_options_text_and_hours(parser, capsys) -> None:
    rc = _run(
        parser,
        [
            "niosh",
            "--load-kg",
            "15",
            "--h-cm",
            "40",
            "--v-cm",
            "30",
            "--d-cm",
            "50",
            "--a-deg",
            "30",
            "--frequency-per-min",
            "2",
            "--duration",
            "1.5",
            "--coupling",
            "poor",
        ],
    )
    out = capsys.readouterr().out
    assert rc == 0
    assert "RWL" in out and "7.73" in out and "moderate" in out


def test_cli_niosh_zero_rwl_json_is_strict(parser, capsys) -> None:
    rc = _run(
        parser,
        [
            "niosh",
            "--load-kg",
            "10",
            "--h-cm",
            "70",
            "--v-cm",
            "75",
            "--d-cm",
            "0",
            "--a-deg",
            "0",
            "--frequency-per-min",
            "1",
            "--duration",
            "short",
            "--json",
        ],
    )
    out = capsys.readouterr().out
    assert rc == 0
    assert "Infinity" not in out
    assert json.loads(out)["result"]["lifting_index"] is None


@pytest.mark.parametrize(
    "content",
    [
        '{"upper_arm": 45',
        "[1, 2, 3]",
        '{"upper_arm": 45, "lower_arm": 80, "neck": 0, "trunk": 0, "elbow": 1}',
        '{"upper_arm": 45}',
        '{"upper_arm": 45, "lower_arm": 80, "neck": 0, "trunk": "straight"}',
    ],
)
def test_cli_bad_json_input_exits_2(parser, capsys, tmp_path, content: str) -> None:
    f = tmp_path / "bad.json"
    f.write_text(content)
    rc = _run(parser, ["rula", "--input", str(f)])
    captured = capsys.readouterr()
    assert rc == 2
    assert captured.out == ""
    err = captured.err.strip()
    assert err.startswith("coach ergonomics rula: error:") and "\n" not in err
    assert "Traceback" not in captured.err


def test_cli_missing_file_and_bad_values_exit_2(parser, capsys, tmp_path) -> None:
    assert _run(parser, ["rula", "--input", str(tmp_path / "nope.json")]) == 2
    assert (
        _run(
            parser,
            ["rula", "--upper-arm", "0", "--lower-arm", "80", "--neck", "200", "--trunk", "0"],
        )
        == 2
    )
    assert (
        _run(
            parser,
            [
                "niosh",
                "--load-kg",
                "-3",
                "--h-cm",
                "25",
                "--v-cm",
                "75",
                "--d-cm",
                "25",
                "--a-deg",
                "0",
                "--frequency-per-min",
                "1",
                "--duration",
                "short",
            ],
        )
        == 2
    )
    assert (
        _run(
            parser,
            [
                "niosh",
                "--load-kg",
                "3",
                "--h-cm",
                "25",
                "--v-cm",
                "75",
                "--d-cm",
                "25",
                "--a-deg",
                "0",
                "--frequency-per-min",
                "1",
                "--duration",
                "weekly",
            ],
        )
        == 2
    )
    assert _run(parser, ["rula", "--upper-arm", "0"]) == 2  # missing required fields
    errs = capsys.readouterr().err.strip().splitlines()
    assert len(errs) == 5 and all(e.startswith("coach ergonomics") for e in errs)


def test_cli_to_dict_helper() -> None:
    d = ergonomics_cli.to_dict(compute_rula(RulaInput(upper_arm=0, lower_arm=80, neck=0, trunk=0)))
    # The unobserved wrist scores the webcam default 2: Table A[1][1][2][1] = 2 → grand 2.
    assert isinstance(d["drivers"], list) and d["drivers"] == []
    assert (d["wrist"], d["grand_score"]) == (2, 2)
