"""The desk monitor's Qt-free decisions: the display dwell, the other-person check, the day's
totals and the baseline as stored in settings (no camera, no model, no Qt)."""

from __future__ import annotations

import math

from coach.core.posture import PostureBaseline, PostureState
from coach.pipeline.desk_monitor import (
    DisplayDwell,
    OtherPersonCheck,
    PostureTotals,
    baseline_from_settings,
    baseline_to_settings,
    calibration_outcome,
)


def test_display_dwell_shows_the_first_verdict_and_then_only_held_ones() -> None:
    d = DisplayDwell(dwell_s=2.0)
    assert d.update(PostureState.UPRIGHT, 0.0) is PostureState.UPRIGHT
    # flipping every half second never holds for 2 s: the shown verdict stays
    for k in range(1, 10):
        state = PostureState.SLOUCHED if k % 2 else PostureState.UPRIGHT
        assert d.update(state, 0.5 * k) is PostureState.UPRIGHT
    # the last flip (k = 9, slouched at 4.5 s) is shown once it has held for 2 s
    assert d.update(PostureState.SLOUCHED, 6.4) is PostureState.UPRIGHT
    assert d.update(PostureState.SLOUCHED, 6.5) is PostureState.SLOUCHED


def test_other_person_needs_five_sizes_outside_the_band_and_forgets_when_away() -> None:
    c = OtherPersonCheck()
    # the same head size as at calibration: never someone else
    assert not any(c.update(0.20, PostureState.UPRIGHT, 0.20) for _ in range(10))
    c.clear()
    flags = [c.update(0.40, PostureState.UPRIGHT, 0.20) for _ in range(5)]  # twice as large
    assert flags == [False, False, False, False, True]
    c.update(math.nan, PostureState.AWAY, 0.20)  # nobody there: the sizes are forgotten
    assert len(c.scales) == 0
    assert not c.update(0.40, PostureState.UPRIGHT, 0.20)
    # without a calibrated size there is nothing to compare with
    c2 = OtherPersonCheck()
    assert not any(c2.update(0.40, PostureState.UPRIGHT, None) for _ in range(10))
    # sizes are not counted while calibrating or while not tracking
    c3 = OtherPersonCheck()
    for _ in range(10):
        c3.update(0.40, PostureState.UPRIGHT, 0.20, count=False)
        c3.update(0.40, PostureState.NOT_TRACKING, 0.20)
    assert len(c3.scales) == 0


def test_totals_since_leave_out_away_time_and_tiny_changes() -> None:
    prev = PostureTotals({"upright": 100.0, "slouched": 10.0, "away": 5.0}, breaks=1, alerts=2)
    now = PostureTotals(
        {"upright": 160.0, "slouched": 10.01, "away": 50.0, "leaning": 3.0}, breaks=2, alerts=2
    )
    delta, d_breaks, d_alerts = now.since(prev)
    assert delta == {"upright": 60.0, "leaning": 3.0}
    assert (d_breaks, d_alerts) == (1, 0)
    assert PostureTotals().since(PostureTotals()) == ({}, 0, 0)


def test_baseline_round_trips_through_settings() -> None:
    b = PostureBaseline(view="side", cva=52.0, trunk=8.0, frames=30, seconds=3.0)
    stored = baseline_to_settings(b, head_scale=0.21)
    assert all(isinstance(v, float) for v in stored.values())
    back, scale = baseline_from_settings(stored)
    assert back is not None and back.view == "side" and back.frames == 30
    assert back.cva == 52.0 and back.trunk == 8.0
    assert scale == 0.21
    assert baseline_from_settings(None) == (None, None)
    assert baseline_from_settings({"view_front": 0.0, "nonsense": 1.0}) == (None, None)


def test_calibration_without_usable_frames_stores_nothing_and_says_why() -> None:
    out = calibration_outcome([None] * 30, [], "desk")
    assert out.baseline is None and out.head_scale is None
    assert out.strip == "Calibration failed: sit so the camera sees your head and shoulders"
    assert out.message.endswith("Sit so the camera sees your head and shoulders, then try again.")
