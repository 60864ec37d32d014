"""Offline lifting report of a recording: ``coach analyze VIDEO --lifting``.

The recording is replayed through :class:`~coach.core.lifting.LiftDetector`; each lift is
reported with its strategy (information, DOMAIN §4.1), faults and calm cues, and the NIOSH
geometry the camera can estimate (DOMAIN §4.3; the load, frequency and coupling are the user's
to enter, so no lifting index is computed here).
"""

from __future__ import annotations

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


def analyze_lifting(track: Track) -> dict[str, Any]:
    """Every lift in a recorded track.

    Returns
    -------
    dict
        ``lifts``: [{index, start, lift_off, end, complete, strategy, ssi, trunk_flexion_deg,
        knee_flexion_deg, hip_flexion_deg, trunk_band, back_flexion_increase_deg,
        load_distance(_cm), twist_deg, peak_hand_speed(_mps), faults, severity, cues,
        niosh_geometry}] — a lift still in progress at the end has ``complete: false``;
        ``lifting``: totals, the landmark source and notes.
    """
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
        lifts.append(d)
    sources = sorted({ev.source for ev in events})
    notes = [
        "strategy is information, not a verdict: a slight bend of back, hips and knees is "
        "usually preferable to a full stoop or a full squat (HSE)",
        "a camera cannot see whether a load was picked up or put down; both count as lifts",
    ]
    if "image" in sources:
        notes.append("image landmarks only: twist is not measured and cm use a typical leg length")
    return {
        "lifts": lifts,
        "lifting": {
            "count": len(events),
            "complete": sum(ev.complete for ev in events),
            "strategies": {
                s: sum(ev.strategy == s for ev in events)
                for s in sorted({ev.strategy for ev in events})
            },
            "source": sources[0] if len(sources) == 1 else sources,
            "notes": notes,
        },
    }
