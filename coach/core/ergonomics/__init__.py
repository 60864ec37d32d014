"""Ergonomic calculators: RULA, REBA and the revised NIOSH lifting equation (DOMAIN §3.5–§4.3).

Pure functions over plain numbers; no Qt, OpenCV or MediaPipe. Each method has a frozen input
dataclass (angles in degrees, adjustments as booleans, a few small integer scores) and a frozen
result dataclass that carries every intermediate value of the published worksheet, so the UI,
the CLI and the tests can all show *why* a score is what it is.

Conventions shared by RULA and REBA
-----------------------------------
* Signed angles: positive = flexion (forward), negative = extension (backward). Lower-arm and
  knee angles are flexion only (0° = straight, DOMAIN §0 "deviation from straight").
* Band edges: a band written "x–y°" in the published text includes its upper edge y, and the
  next band "> y°" starts strictly above it (the texts say "> 20°" for the top neck band, so
  20° itself belongs to "10–20°"; we read every band the same way). Thus RULA neck 10° → 1,
  20° → 2, 20.1° → 3; upper arm 20° → 1, 45° → 2, 90° → 3.
* "Neutral" / "upright" means exactly 0°. Measurement noise should be handled upstream
  (calibrated offsets, smoothing), not by widening the published bands here.
* Inputs a webcam cannot see use the defaults of DOMAIN §3.7 as field defaults; a wrist angle
  of ``None`` means "not observed" and scores the §3.7 default.

Every public function validates its arguments and raises :class:`ValueError` with a message
naming the offending field.

The package: :mod:`.tables` (the published tables), :mod:`.rula`, :mod:`.reba`, :mod:`.niosh`,
:mod:`.convert` (JSON) and :mod:`.common` (validation); every public name is importable from
``coach.core.ergonomics``.
"""

from __future__ import annotations

from coach.core.ergonomics.convert import (
    from_dict,
    to_dict,
)
from coach.core.ergonomics.niosh import (
    NioshInput,
    NioshResult,
    compute_niosh,
    niosh_am,
    niosh_cm,
    niosh_dm,
    niosh_duration_category,
    niosh_fm,
    niosh_hm,
    niosh_interpretation,
    niosh_vm,
)
from coach.core.ergonomics.reba import (
    REBA_ACTIONS,
    REBA_COUPLINGS,
    REBA_DEFAULT_WRIST_SCORE,
    RebaInput,
    RebaResult,
    compute_reba,
    reba_action,
    reba_activity_score,
    reba_coupling_score,
    reba_legs_score,
    reba_load_score,
    reba_lower_arm_score,
    reba_neck_score,
    reba_table_a,
    reba_table_b,
    reba_table_c,
    reba_trunk_score,
    reba_upper_arm_score,
    reba_wrist_score,
)
from coach.core.ergonomics.rula import (
    RULA_ACTIONS,
    RULA_DEFAULT_WRIST_SCORE,
    RulaInput,
    RulaResult,
    compute_rula,
    rula_action,
    rula_force_score,
    rula_legs_score,
    rula_lower_arm_score,
    rula_neck_score,
    rula_table_a,
    rula_table_b,
    rula_table_c,
    rula_trunk_score,
    rula_upper_arm_score,
    rula_wrist_score,
    rula_wrist_twist_score,
)
from coach.core.ergonomics.tables import (
    NIOSH_CM_TABLE,
    NIOSH_FM_ROWS,
    NIOSH_FM_TABLE,
    NIOSH_LOAD_CONSTANT_KG,
    REBA_TABLE_A,
    REBA_TABLE_B,
    REBA_TABLE_C,
    RULA_TABLE_A,
    RULA_TABLE_B,
    RULA_TABLE_C,
)

__all__ = [
    "NIOSH_CM_TABLE",
    "NIOSH_FM_ROWS",
    "NIOSH_FM_TABLE",
    "NIOSH_LOAD_CONSTANT_KG",
    "REBA_ACTIONS",
    "REBA_COUPLINGS",
    "REBA_DEFAULT_WRIST_SCORE",
    "REBA_TABLE_A",
    "REBA_TABLE_B",
    "REBA_TABLE_C",
    "RULA_ACTIONS",
    "RULA_DEFAULT_WRIST_SCORE",
    "RULA_TABLE_A",
    "RULA_TABLE_B",
    "RULA_TABLE_C",
    "NioshInput",
    "NioshResult",
    "RebaInput",
    "RebaResult",
    "RulaInput",
    "RulaResult",
    "compute_niosh",
    "compute_reba",
    "compute_rula",
    "from_dict",
    "niosh_am",
    "niosh_cm",
    "niosh_dm",
    "niosh_duration_category",
    "niosh_fm",
    "niosh_hm",
    "niosh_interpretation",
    "niosh_vm",
    "reba_action",
    "reba_activity_score",
    "reba_coupling_score",
    "reba_legs_score",
    "reba_load_score",
    "reba_lower_arm_score",
    "reba_neck_score",
    "reba_table_a",
    "reba_table_b",
    "reba_table_c",
    "reba_trunk_score",
    "reba_upper_arm_score",
    "reba_wrist_score",
    "rula_action",
    "rula_force_score",
    "rula_legs_score",
    "rula_lower_arm_score",
    "rula_neck_score",
    "rula_table_a",
    "rula_table_b",
    "rula_table_c",
    "rula_trunk_score",
    "rula_upper_arm_score",
    "rula_wrist_score",
    "rula_wrist_twist_score",
    "to_dict",
]
