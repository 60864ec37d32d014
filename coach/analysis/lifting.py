"""Offline lifting report of a recording: ``coach analyze VIDEO --lifting``.

The recording is replayed through :class:`~coach.core.lifting.LiftDetector`; each lift is
reported with its strategy (information, DOMAIN §4.1), faults and calm cues, and the NIOSH
geometry the camera can estimate (DOMAIN §4.3; the load, frequency and coupling are the user's
to enter, so no lifting index is computed here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coach.core.lifting import LiftDetector, LiftEvent, NioshEstimate
from coach.pose.estimator import Track


def _niosh(lift: LiftEvent) -> dict[str, Any] | None:
    try:
        est = NioshEstimate.from_lift(lift)
    except ValueError:
        return None
    return {
        "h_cm": round(est.h_cm, 1),
        "v_origin_cm": round(est.v_origin_cm, 1),
        "v_destination_cm": round(est.v_destination_cm, 1),
        "d_cm": round(est.d_cm, 1),
        "a_deg": round(est.a_deg, 1),
        "scale": est.scale,
        "notes": list(est.notes),
    }


#: The neck proxy reads about this much in a neutral head posture (no calibration for lifts).
NECK_NEUTRAL_OFFSET_DEG = 15.0
TWIST_DEG = 20.0  # trunk twist above this counts as "twisted" for REBA


def reba_at_lift(track: Track, ev: LiftEvent, window_s: float = 0.2) -> dict[str, Any]:
    """REBA at the lowest point of a lift (the whole body is in view during a lift).

    Trunk and knee flexion come from the lift detector; neck, upper and lower arm are the median
    over ``window_s`` around lift-off; wrist, load and coupling are not visible and take the
    DOMAIN §3.7 defaults (load 0 kg: enter the real load in ``coach ergonomics reba``).
    """
    from coach.core.ergonomics import RebaInput, compute_reba
    from coach.core.metrics import FrameView, compile_metric

    fns = {
        k: compile_metric(m)
        for k, m in (
            ("neck", "neck_flex_proxy@near"),
            ("upper_arm", "upper_arm_flex@near"),
            ("elbow", "elbow_flex@near"),
        )
    }
    vals: dict[str, list[float]] = {k: [] for k in fns}
    for pose, t in zip(track.poses(), track.timestamps.tolist(), strict=True):
        if pose is None or abs(float(t) - ev.lift_off) > window_s:
            continue
        v = FrameView(pose.pixels().tolist(), pose.image[:, 3].tolist(), pose.width, pose.height)
        for k, fn in fns.items():
            x = fn(v)
            if x == x:
                vals[k].append(x)

    def med(k: str, default: float) -> float:
        xs = sorted(vals[k])
        return xs[len(xs) // 2] if xs else default

    neck = max(-60.0, min(90.0, med("neck", NECK_NEUTRAL_OFFSET_DEG) - NECK_NEUTRAL_OFFSET_DEG))
    defaulted = ["wrist", "load (0 kg: not visible)", "coupling (fair)"]
    if not vals["neck"]:
        defaulted.append("neck")
    r = compute_reba(
        RebaInput(
            trunk=max(-90.0, min(180.0, ev.trunk_flexion_deg)),
            neck=neck,
            upper_arm=max(-90.0, min(180.0, med("upper_arm", 20.0))),
            lower_arm=max(0.0, min(180.0, med("elbow", 80.0))),
            knee_flex=ev.knee_flexion_deg if ev.knee_flexion_deg == ev.knee_flexion_deg else None,
            trunk_twisted=bool(ev.twist_deg == ev.twist_deg and abs(ev.twist_deg) > TWIST_DEG),
            rapid_changes=True,  # a lift is a rapid, large change of posture (REBA activity score)
        )
    )
    return {
        "score": r.reba_score,
        "action_level": r.action_level,
        "risk": r.risk,
        "action": r.action,
        "drivers": list(r.drivers),
        "defaulted": defaulted,
    }


@dataclass(frozen=True, slots=True)
class LiftingReport:
    """Every lift in a recording, and the totals.

    ``lifts``: [{index, start, lift_off, end, complete, strategy, ssi, trunk_flexion_deg,
    knee_flexion_deg, hip_flexion_deg, trunk_band, back_flexion_increase_deg,
    load_distance(_cm), twist_deg, peak_hand_speed(_mps), faults, severity, cues,
    niosh_geometry, reba}]; a lift still in progress at the end has ``complete: false``.
    """

    lifts: list[dict[str, Any]]
    count: int
    complete: int
    strategies: dict[str, int]
    source: str | list[str]  # the landmark source ("world" / "image"), or both
    notes: list[str]

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape (``coach analyze --lifting --json``): ``lifts`` and ``lifting``."""
        return {
            "lifts": self.lifts,
            "lifting": {
                "count": self.count,
                "complete": self.complete,
                "strategies": self.strategies,
                "source": self.source,
                "notes": self.notes,
            },
        }


def analyze_lifting(track: Track) -> LiftingReport:
    """Every lift in a recorded track (see :class:`LiftingReport`)."""
    det = LiftDetector()
    events: list[LiftEvent] = []
    for pose, t in zip(track.poses(), track.timestamps.tolist(), strict=True):
        ev = det.update(pose, float(t))
        if ev is not None:
            events.append(ev)
    last = det.finish()
    if last is not None:
        events.append(last)
    lifts = []
    for ev in events:
        d = ev.to_dict()
        d["niosh_geometry"] = _niosh(ev)
        d["reba"] = reba_at_lift(track, ev)
        lifts.append(d)
    sources = sorted({ev.source for ev in events})
    notes = [
        "strategy is information, not a verdict: a slight bend of back, hips and knees is "
        "usually preferable to a full stoop or a full squat (HSE)",
        "a camera cannot see whether a load was picked up or put down; both count as lifts",
    ]
    if "image" in sources:
        notes.append("image landmarks only: twist is not measured and cm use a typical leg length")
    return LiftingReport(
        lifts=lifts,
        count=len(events),
        complete=sum(ev.complete for ev in events),
        strategies={
            s: sum(ev.strategy == s for ev in events)
            for s in sorted({ev.strategy for ev in events})
        },
        source=sources[0] if len(sources) == 1 else sources,
        notes=notes,
    )
