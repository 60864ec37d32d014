"""The published RULA, REBA and NIOSH tables, encoded exactly as printed."""

from __future__ import annotations

from typing import Literal

# ---------------------------------------------------------------------------------------------
# Published tables, encoded exactly as printed.
# ---------------------------------------------------------------------------------------------

# RULA Table A: [upper arm 1–6][lower arm 1–3][wrist 1–4][wrist twist 1–2] -> posture score A.
# [S: RULA93; RULA93-worksheet; cross-checked RULA-impl]
RULA_TABLE_A: tuple[tuple[tuple[tuple[int, int], ...], ...], ...] = (
    (  # upper arm 1
        ((1, 2), (2, 2), (2, 3), (3, 3)),  # lower arm 1: wrist 1..4 x (twist 1, twist 2)
        ((2, 2), (2, 2), (3, 3), (3, 3)),  # lower arm 2
        ((2, 3), (3, 3), (3, 3), (4, 4)),  # lower arm 3
    ),
    (  # upper arm 2
        ((2, 3), (3, 3), (3, 4), (4, 4)),
        ((3, 3), (3, 3), (3, 4), (4, 4)),
        ((3, 4), (4, 4), (4, 4), (5, 5)),
    ),
    (  # upper arm 3
        ((3, 3), (4, 4), (4, 4), (5, 5)),
        ((3, 4), (4, 4), (4, 4), (5, 5)),
        ((4, 4), (4, 4), (4, 5), (5, 5)),
    ),
    (  # upper arm 4
        ((4, 4), (4, 4), (4, 5), (5, 5)),
        ((4, 4), (4, 4), (4, 5), (5, 5)),
        ((4, 4), (4, 5), (5, 5), (6, 6)),
    ),
    (  # upper arm 5
        ((5, 5), (5, 5), (5, 6), (6, 7)),
        ((5, 6), (6, 6), (6, 7), (7, 7)),
        ((6, 6), (6, 7), (7, 7), (7, 8)),
    ),
    (  # upper arm 6
        ((7, 7), (7, 7), (7, 8), (8, 9)),
        ((8, 8), (8, 8), (8, 9), (9, 9)),
        ((9, 9), (9, 9), (9, 9), (9, 9)),
    ),
)

# RULA Table B: [neck 1–6][trunk 1–6][legs 1–2] -> posture score B.  [S: RULA93; RULA-impl]
RULA_TABLE_B: tuple[tuple[tuple[int, int], ...], ...] = (
    ((1, 3), (2, 3), (3, 4), (5, 5), (6, 6), (7, 7)),  # neck 1: trunk 1..6 x (legs 1, legs 2)
    ((2, 3), (2, 3), (4, 5), (5, 5), (6, 7), (7, 7)),  # neck 2
    ((3, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 7)),  # neck 3
    ((5, 5), (5, 6), (6, 7), (7, 7), (7, 7), (8, 8)),  # neck 4
    ((7, 7), (7, 7), (7, 8), (8, 8), (8, 8), (8, 8)),  # neck 5
    ((8, 8), (8, 8), (8, 8), (8, 9), (9, 9), (9, 9)),  # neck 6
)

# RULA Table C: [wrist & arm score 1–8+][neck, trunk & leg score 1–7+] -> grand score.
# [S: RULA93; RULA-impl]
RULA_TABLE_C: tuple[tuple[int, ...], ...] = (
    (1, 2, 3, 3, 4, 5, 5),  # score C 1
    (2, 2, 3, 4, 4, 5, 5),  # score C 2
    (3, 3, 3, 4, 4, 5, 6),  # score C 3
    (3, 3, 3, 4, 5, 6, 6),  # score C 4
    (4, 4, 4, 5, 6, 7, 7),  # score C 5
    (4, 4, 5, 6, 6, 7, 7),  # score C 6
    (5, 5, 6, 6, 7, 7, 7),  # score C 7
    (5, 5, 6, 7, 7, 7, 7),  # score C 8+
)

# REBA Table A: [trunk 1–5][neck 1–3][legs 1–4] -> posture score A.
# [S: REBA2000; REBA-worksheet; cross-checked REBA-impl]
REBA_TABLE_A: tuple[tuple[tuple[int, ...], ...], ...] = (
    ((1, 2, 3, 4), (1, 2, 3, 4), (3, 3, 5, 6)),  # trunk 1: neck 1..3 x legs 1..4
    ((2, 3, 4, 5), (3, 4, 5, 6), (4, 5, 6, 7)),  # trunk 2
    ((2, 4, 5, 6), (4, 5, 6, 7), (5, 6, 7, 8)),  # trunk 3
    ((3, 5, 6, 7), (5, 6, 7, 8), (6, 7, 8, 9)),  # trunk 4
    ((4, 6, 7, 8), (6, 7, 8, 9), (7, 8, 9, 9)),  # trunk 5
)

# REBA Table B: [upper arm 1–6][lower arm 1–2][wrist 1–3] -> posture score B.
# [S: REBA2000; REBA-worksheet; REBA-impl]
REBA_TABLE_B: tuple[tuple[tuple[int, ...], ...], ...] = (
    ((1, 2, 2), (1, 2, 3)),  # upper arm 1: lower arm 1..2 x wrist 1..3
    ((1, 2, 3), (2, 3, 4)),  # upper arm 2
    ((3, 4, 5), (4, 5, 5)),  # upper arm 3
    ((4, 5, 5), (5, 6, 7)),  # upper arm 4
    ((6, 7, 8), (7, 8, 8)),  # upper arm 5
    ((7, 8, 8), (8, 9, 9)),  # upper arm 6
)

# REBA Table C: [score A 1–12][score B 1–12] -> score C.  [S: REBA2000; REBA-worksheet]
REBA_TABLE_C: tuple[tuple[int, ...], ...] = (
    (1, 1, 1, 2, 3, 3, 4, 5, 6, 7, 7, 7),  # score A 1
    (1, 2, 2, 3, 4, 4, 5, 6, 6, 7, 7, 8),  # score A 2
    (2, 3, 3, 3, 4, 5, 6, 7, 7, 8, 8, 8),  # score A 3
    (3, 4, 4, 4, 5, 6, 7, 8, 8, 9, 9, 9),  # score A 4
    (4, 4, 4, 5, 6, 7, 8, 8, 9, 9, 9, 9),  # score A 5
    (6, 6, 6, 7, 8, 8, 9, 9, 10, 10, 10, 10),  # score A 6
    (7, 7, 7, 8, 9, 9, 9, 10, 10, 11, 11, 11),  # score A 7
    (8, 8, 8, 9, 10, 10, 10, 10, 10, 11, 11, 11),  # score A 8
    (9, 9, 9, 10, 10, 10, 11, 11, 11, 12, 12, 12),  # score A 9
    (10, 10, 10, 11, 11, 11, 11, 12, 12, 12, 12, 12),  # score A 10
    (11, 11, 11, 11, 12, 12, 12, 12, 12, 12, 12, 12),  # score A 11
    (12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12),  # score A 12
)

#: NIOSH load constant, metric.  [S: NIOSH94; Waters1993]
NIOSH_LOAD_CONSTANT_KG = 23.0

#: Frequencies (lifts/min) of the rows of :data:`NIOSH_FM_TABLE`; above 15 lifts/min FM = 0.
NIOSH_FM_ROWS: tuple[float, ...] = (0.2, 0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)

# NIOSH frequency multiplier: one row per entry of NIOSH_FM_ROWS; columns are
# (short V<75, short V>=75, moderate V<75, moderate V>=75, long V<75, long V>=75).
# [S: NIOSH94 Table 5; NIOSH-worksheet; HF-handbook; NIOSH-impl]
NIOSH_FM_TABLE: tuple[tuple[float, float, float, float, float, float], ...] = (
    (1.00, 1.00, 0.95, 0.95, 0.85, 0.85),  # <= 0.2
    (0.97, 0.97, 0.92, 0.92, 0.81, 0.81),  # 0.5
    (0.94, 0.94, 0.88, 0.88, 0.75, 0.75),  # 1
    (0.91, 0.91, 0.84, 0.84, 0.65, 0.65),  # 2
    (0.88, 0.88, 0.79, 0.79, 0.55, 0.55),  # 3
    (0.84, 0.84, 0.72, 0.72, 0.45, 0.45),  # 4
    (0.80, 0.80, 0.60, 0.60, 0.35, 0.35),  # 5
    (0.75, 0.75, 0.50, 0.50, 0.27, 0.27),  # 6
    (0.70, 0.70, 0.42, 0.42, 0.22, 0.22),  # 7
    (0.60, 0.60, 0.35, 0.35, 0.18, 0.18),  # 8
    (0.52, 0.52, 0.30, 0.30, 0.00, 0.15),  # 9
    (0.45, 0.45, 0.26, 0.26, 0.00, 0.13),  # 10
    (0.41, 0.41, 0.00, 0.23, 0.00, 0.00),  # 11
    (0.37, 0.37, 0.00, 0.21, 0.00, 0.00),  # 12
    (0.00, 0.34, 0.00, 0.00, 0.00, 0.00),  # 13
    (0.00, 0.31, 0.00, 0.00, 0.00, 0.00),  # 14
    (0.00, 0.28, 0.00, 0.00, 0.00, 0.00),  # 15
)

#: NIOSH coupling multiplier: coupling -> (V < 75 cm, V >= 75 cm).
#: [S: NIOSH94; amaador-calc; NIOSH-impl]
NIOSH_CM_TABLE: dict[str, tuple[float, float]] = {
    "good": (1.00, 1.00),
    "fair": (0.95, 1.00),
    "poor": (0.90, 0.90),
}

#: Vertical height (cm) separating the two FM/CM columns.  [S: NIOSH94]
_NIOSH_V_SPLIT_CM = 75.0

Duration = Literal["short", "moderate", "long"]
_DURATION_COLUMN: dict[str, int] = {"short": 0, "moderate": 1, "long": 2}
