"""The One Euro filter: known answers computed by hand from Casiez et al. (2012)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from coach.core.smoothing import OneEuroFilter


def alpha(cutoff, dt):
    tau = 1 / (2 * math.pi * cutoff)
    return 1 / (1 + tau / dt)


def test_first_sample_passes_through():
    f = OneEuroFilter()
    assert f(np.array([3.0, 4.0]), 0.0).tolist() == [3.0, 4.0]


def test_constant_signal_stays_constant():
    f = OneEuroFilter()
    for i in range(100):
        out = f(np.array([5.0]), i / 30)
    assert out[0] == pytest.approx(5.0)


def test_step_known_answer():
    f = OneEuroFilter(min_cutoff=1.0, beta=0.0, d_cutoff=1.0)
    f(np.array([0.0]), 0.0)
    dt = 1 / 30
    out = f(np.array([1.0]), dt)
    assert out[0] == pytest.approx(alpha(1.0, dt))


def test_beta_reduces_lag_for_fast_motion():
    slow = OneEuroFilter(min_cutoff=1.0, beta=0.0)
    fast = OneEuroFilter(min_cutoff=1.0, beta=0.5)
    for f in (slow, fast):
        f(np.array([0.0]), 0.0)
    xs = [i * 10.0 for i in range(1, 30)]
    for i, x in enumerate(xs, 1):
        a = slow(np.array([x]), i / 30)
        b = fast(np.array([x]), i / 30)
    assert abs(xs[-1] - b[0]) < abs(xs[-1] - a[0])


def test_uses_timestamps_not_a_frame_rate():
    a, b = OneEuroFilter(beta=0.0), OneEuroFilter(beta=0.0)
    a(np.array([0.0]), 0.0)
    b(np.array([0.0]), 0.0)
    # the same step, observed after a longer interval, is followed more closely
    assert b(np.array([1.0]), 0.2)[0] > a(np.array([1.0]), 0.02)[0]


def test_repeated_timestamp_returns_current_estimate():
    f = OneEuroFilter()
    f(np.array([0.0]), 0.0)
    v = f(np.array([1.0]), 0.1)
    assert f(np.array([100.0]), 0.1)[0] == pytest.approx(v[0])


def test_nan_elements_do_not_poison_the_state():
    f = OneEuroFilter()
    f(np.array([1.0, 1.0]), 0.0)
    out = f(np.array([np.nan, 1.0]), 0.1)
    assert math.isnan(out[0]) and out[1] == pytest.approx(1.0)
    out = f(np.array([1.0, 1.0]), 0.2)
    assert out[0] == pytest.approx(1.0)


def test_invalid_parameters():
    with pytest.raises(ValueError, match="min_cutoff and d_cutoff must be > 0"):
        OneEuroFilter(min_cutoff=0)
