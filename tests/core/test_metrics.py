"""Known answers and invariances of the metric library."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coach.core.metrics import (
    METRICS,
    FrameView,
    compile_metric,
    included_angle,
    line_tilt,
    parse_metric,
)
from tests.conftest import fuzz_examples
from tests.synth import side_figure


def view(pose, facing=None):
    return FrameView(
        pose.pixels().tolist(), pose.image[:, 3].tolist(), pose.width, pose.height, facing=facing
    )


def test_included_angle_known_values():
    assert included_angle(1, 0, 0, 0, 0, 1) == pytest.approx(90.0)
    assert included_angle(1, 0, 0, 0, -1, 0) == pytest.approx(180.0)
    assert included_angle(1, 0, 0, 0, 1, 0) == pytest.approx(0.0)
    assert math.isnan(included_angle(0, 0, 0, 0, 1, 0))


def test_line_tilt_folds_to_plus_minus_90():
    assert line_tilt(0, 0, 10, 0) == pytest.approx(0.0)
    assert line_tilt(10, 0, 0, 0) == pytest.approx(0.0)
    assert line_tilt(0, 0, 10, 10) == pytest.approx(45.0)


@pytest.mark.parametrize("angle", [0.0, 30.0, 60.0, 90.0, 120.0])
@pytest.mark.parametrize("facing", [1, -1])
def test_knee_flex_matches_construction(angle, facing):
    v = view(side_figure(knee_flex=angle, facing=facing))
    assert compile_metric("knee_flex")(v) == pytest.approx(angle, abs=0.5)
    assert compile_metric("knee_flex@max")(v) == pytest.approx(angle, abs=0.5)


def test_trunk_incl_sign_follows_facing():
    for facing in (1, -1):
        p = side_figure(facing=facing)
        img = p.image.copy()
        # lean the shoulders forward by moving them in the facing direction
        for i in (11, 12):
            img[i, 0] += facing * 0.1
        v = FrameView((img[:, :2] * 1000).tolist(), img[:, 3].tolist(), 1000, 1000)
        assert compile_metric("trunk_incl")(v) > 15


def test_invisible_landmarks_make_metrics_nan():
    p = side_figure(knee_flex=40, vis=0.3)
    assert math.isnan(compile_metric("knee_flex")(view(p)))


def test_out_of_frame_landmarks_make_metrics_nan():
    p = side_figure(knee_flex=40, dy=600)  # ankles below the picture
    assert math.isnan(compile_metric("knee_flex")(view(p)))


def test_unknown_metric_and_selector_are_rejected():
    with pytest.raises(KeyError, match="kneeflex"):
        parse_metric("kneeflex")
    with pytest.raises(KeyError, match="trunk_incl has no sides"):
        parse_metric("trunk_incl@left")
    with pytest.raises(KeyError, match="unknown side selector '@middle'"):
        parse_metric("knee_flex@middle")


def test_every_metric_runs_on_a_figure():
    v = view(side_figure(knee_flex=30))
    for name, m in METRICS.items():
        fn = compile_metric(name if not m.sided else f"{name}@max")
        x = fn(v)
        assert isinstance(x, float)


@settings(max_examples=fuzz_examples(60), deadline=None)
@given(
    angle=st.floats(0, 120),
    scale=st.floats(0.3, 1.5),
    dx=st.floats(-150, 150),
    dy=st.floats(-100, 50),
)
def test_metrics_invariant_to_translation_and_scale(angle, scale, dx, dy):
    base = view(side_figure(knee_flex=angle))
    moved = view(side_figure(knee_flex=angle, scale=scale, dx=dx, dy=dy))
    for name, m in METRICS.items():
        spec = f"{name}@near" if m.sided else name
        a, b = compile_metric(spec)(base), compile_metric(spec)(moved)
        if math.isnan(a) or math.isnan(b):
            continue  # moved out of frame, or not defined for this figure
        # landmarks are float32; acos near 1 (squat_depth_front standing) amplifies rounding
        assert b == pytest.approx(a, abs=0.1 if m.unit == "deg" else 1e-3), name


def test_shoulder_angle_is_unsigned_and_view_free():
    p = side_figure()
    img = p.image.copy()
    # reach the arm forward, level with the shoulder
    for side in (13, 14):
        img[side, :2] = img[11, :2] + np.array([0.13, 0.0])
    v = FrameView((img[:, :2] * 1000).tolist(), img[:, 3].tolist(), 1000, 1000)
    assert compile_metric("shoulder_angle@max")(v) == pytest.approx(90, abs=2)
