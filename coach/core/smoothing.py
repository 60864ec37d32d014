"""Causal smoothing: the One Euro filter (Casiez, Roussel & Vogel, CHI 2012).

Vectorised over every coordinate of a frame and driven by frame timestamps, as MediaPipe's
``mediapipe/util/filtering/one_euro_filter.cc`` does it: the cut-off frequency adapts to the
speed of the signal, so still poses are steady and fast movements keep little lag.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def _alpha(cutoff: float | FloatArray, dt: float) -> float | FloatArray:
    tau = 1.0 / (2.0 * math.pi * cutoff)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """One Euro filter over an array of any shape.

    Parameters
    ----------
    min_cutoff : minimum cut-off frequency (Hz); lower = smoother when still.
    beta : speed coefficient; higher = less lag when moving fast.
    d_cutoff : cut-off frequency (Hz) for the derivative.

    Missing values (NaN) pass through as NaN and do not disturb the filter state of that element.
    """

    __slots__ = ("min_cutoff", "beta", "d_cutoff", "_x", "_dx", "_t")

    def __init__(self, min_cutoff: float = 1.0, beta: float = 0.01, d_cutoff: float = 1.0) -> None:
        if min_cutoff <= 0 or d_cutoff <= 0 or beta < 0:
            raise ValueError("min_cutoff and d_cutoff must be > 0 and beta >= 0")
        self.min_cutoff = min_cutoff
        self.beta = beta
        self.d_cutoff = d_cutoff
        self._x: FloatArray | None = None
        self._dx: FloatArray | None = None
        self._t: float | None = None

    def reset(self) -> None:
        self._x = self._dx = None
        self._t = None

    def __call__(self, x: npt.ArrayLike, t: float) -> FloatArray:
        """Filter sample ``x`` taken at monotonic time ``t`` (seconds); returns a new array."""
        xa = np.asarray(x, dtype=np.float64)
        if self._x is None or self._t is None or self._dx is None or xa.shape != self._x.shape:
            self._x = xa.copy()
            self._dx = np.zeros_like(xa)
            self._t = t
            return self._x.copy()
        dt = t - self._t
        if dt <= 0.0:
            # Same or older timestamp: nothing new to learn; return the current estimate.
            return self._x.copy()
        self._t = t
        prev = self._x
        missing_prev = np.isnan(prev)
        # Elements that were missing restart from the new sample.
        if missing_prev.any():
            prev = np.where(missing_prev, xa, prev)
        dx = (xa - prev) / dt
        a_d = _alpha(self.d_cutoff, dt)
        dx_hat = a_d * dx + (1.0 - a_d) * self._dx
        cutoff = self.min_cutoff + self.beta * np.abs(dx_hat)
        a = _alpha(cutoff, dt)
        x_hat = a * xa + (1.0 - a) * prev
        missing = np.isnan(xa)
        if missing.any():
            # Keep the last estimate for elements with no new sample, report them as NaN.
            self._x = np.where(missing, prev, x_hat)
            self._dx = np.where(missing, self._dx, dx_hat)
            out = x_hat.copy()
            out[missing] = np.nan
            return out
        self._x = x_hat
        self._dx = dx_hat
        return x_hat.copy()
