"""Memory over hours (marked ``soak``; about a minute; part of the full suite and CI): an hour of live session and of posture
monitoring at accelerated time, with the process's RSS sampled. Growth must stay under 5 MB per
hour after warm-up. The same runs are ``python -m coach.devtools.soak`` (numbers in
docs/reliability.md)."""

from __future__ import annotations

import threading

import pytest

from coach.devtools.soak import LIMIT_MB_PER_HOUR, soak_live_session, soak_posture_monitor

pytestmark = pytest.mark.soak


def test_one_hour_live_session_memory_is_flat() -> None:
    threads = threading.active_count()
    r = soak_live_session(hours=1.0)
    assert r.detail["finished"] and r.frames >= 3600 * 23
    assert r.detail["reps_recorded"] > 1000  # an hour of squats really was scored and recorded
    # The rate is the fitted slope after warm-up. The plain end-minus-start difference also holds
    # the allocator settling a few MB in after warm-up (glibc arenas for the pipeline threads, the
    # history's page cache): measured +4.6 to +5.3 MB on this machine with a slope of ~2 MB/hour,
    # so it is bounded at twice the hourly limit rather than used as the rate itself.
    assert r.slope_mb_per_hour < LIMIT_MB_PER_HOUR, r.line()
    assert r.growth_mb < 2 * LIMIT_MB_PER_HOUR, r.line()
    assert threading.active_count() == threads  # every pipeline thread ended


@pytest.mark.parametrize("rate_hz", [5.0, None], ids=["fixed-5Hz", "adaptive"])
def test_one_hour_posture_monitor_memory_is_flat(rate_hz: float | None) -> None:
    r = soak_posture_monitor(hours=1.0, rate_hz=rate_hz)
    assert r.frames > (3600 * 5 if rate_hz else 1000)
    if rate_hz is None:
        assert r.detail["releases"] >= 2 and r.detail["reopens"] >= 2  # away stretches
    assert r.slope_mb_per_hour < LIMIT_MB_PER_HOUR, r.line()
    assert r.growth_mb < LIMIT_MB_PER_HOUR, r.line()
