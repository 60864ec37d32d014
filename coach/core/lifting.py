"""Lifting technique from pose: lift detection, strategy, faults and NIOSH inputs (DOMAIN §4).

Pure numpy/stdlib; no Qt, OpenCV or MediaPipe.

Geometry
--------
Every quantity is a ratio or an angle, so nothing depends on the camera distance:

* **Up** is image-up for image landmarks. With world landmarks (preferred: they survive the
  elevated 3/4 views of real workplaces, where the trunk points at the camera while stooping)
  "up" starts as the camera's up and is re-estimated while the person stands tall (knees
  straight, trunk near vertical) from the ankle→shoulder direction, which removes the camera's
  pitch.
* **Hand height** is the height of the hand grip (mid-point of index and pinky knuckles,
  DOMAIN §1.1; the wrist when they are unseen) above the floor (the lowest heel / toe / ankle)
  divided by the **leg length** (hip→knee + knee→ankle). Arms hanging while standing ≈ 0.9;
  knee height ≈ 0.5; the floor ≈ 0.1.
* **Trunk flexion** is the angle of hip_mid→shoulder_mid from up; **knee/hip flexion** are
  deviation-from-straight angles (DOMAIN §0), both legs averaged (world) or the near side
  (image).
* **Load distance** H is the horizontal distance of the hands from the ankle mid-point over the
  leg length (and in cm when a scale is known, for NIOSH); **twist** is the angle between the
  shoulder line and the hip line in the horizontal plane (world landmarks only; a side-view
  image cannot show it).

Lift events
-----------
::

    STANDING ── hands below 0.55 leg lengths (≈ knee height) and bent
    │           (trunk >= 20° or knees >= 45°) for >= 0.2 s ──► LOW
    LOW ── the hands rise 0.05 leg lengths above their lowest point ──► RISING
    RISING ── hands back below the lowest + 0.05 ──► LOW (a re-grip: the same lift)
    RISING ── hands above 0.75 leg lengths and trunk < 30° ──► STANDING: lift complete
    end of stream while LOW/RISING ──► the lift is reported with complete=False

``start`` is when the hands last left standing height on the way down, ``lift_off`` when
they start to rise from their lowest point (DOMAIN §4.2), ``end`` when the person is upright
again. A camera cannot see whether a load was picked up or put down; both are "lifts" here.

Strategy (DOMAIN §4.1–4.2) is reported as information, not as pass/fail. It uses the interim
Stoop–Squat proxy ``SSI* = 100 · trunk / (trunk + knee)`` at lift-off: squat < 30 (the Schmid
2022 squat norm); stoop >= 65 [D]; semi-squat between. The stoop edge is lower than Schmid's
> 90 norm because the proxy is not Schmid's formula (DOMAIN Appendix B, item 1) and monocular
knee angles read high when the legs are hidden behind the load or the trunk (on our stooped
reference lift the model reports ~40° for knees that are only slightly bent): with trunk
flexion at least twice the knee flexion the back did most of the bending, which is what HSE
calls stooping. Validate against Schmid's norms before changing (DOMAIN §7.4).

Faults follow the HSE good-handling advice of DOMAIN §4.1 with calm cues: trunk flexion > 60°
at lift-off, back flexing further (> 5°) while the legs straighten during the first 30 % of the
rise, load far from the body (H > 25 cm amber, > 40 cm red), twisting (> 30° amber, > 45° red),
and hand speed > 0.76 m/s (outside the NIOSH equation's assumptions).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np
import numpy.typing as npt

from coach.core.ergonomics import NioshInput, NioshResult, compute_niosh
from coach.core.landmarks import Landmark, PoseFrame
from coach.core.smoothing import OneEuroFilter

__all__ = [
    "LiftConfig",
    "LiftDetector",
    "LiftEvent",
    "LiftFault",
    "LiftPhase",
    "LiftSample",
    "NioshEstimate",
    "leg_length_cm_from_height",
    "lift_sample",
    "ssi_proxy",
    "strategy_from_ssi",
]

NAN = float("nan")
DEG = 180.0 / math.pi
FloatArray = npt.NDArray[np.float64]

#: Hip-to-ankle length as a fraction of body height: thigh 0.245 H + shank 0.246 H
#: (Drillis & Contini segment proportions).  [S→D: anthropometric tables; scale for NIOSH]
LEG_FRACTION_OF_HEIGHT = 0.491
#: A typical adult leg (hip→ankle) when nothing else gives a scale, metres.  [D]
TYPICAL_LEG_M = 0.83

L = Landmark
_SIDES = ("LEFT", "RIGHT")


def _idx(side: str, part: str) -> int:
    return int(Landmark[f"{side}_{part}"])


_SH = [_idx(s, "SHOULDER") for s in _SIDES]
_HIP = [_idx(s, "HIP") for s in _SIDES]
_KNEE = [_idx(s, "KNEE") for s in _SIDES]
_ANKLE = [_idx(s, "ANKLE") for s in _SIDES]
_HEEL = [_idx(s, "HEEL") for s in _SIDES]
_TOE = [_idx(s, "FOOT_INDEX") for s in _SIDES]
_WRIST = [_idx(s, "WRIST") for s in _SIDES]
_INDEX = [_idx(s, "INDEX") for s in _SIDES]
_PINKY = [_idx(s, "PINKY") for s in _SIDES]


@dataclass(frozen=True)
class LiftConfig:
    """Tunables (DOMAIN Appendix A ``lifting``; the detection levels are [D])."""

    hands_low_enter: float = 0.55  # hand height / leg length: about knee height  [D]
    hands_low_exit: float = 0.75  # hysteresis: back to mid-thigh or higher  [D]
    bent_trunk_deg: float = 20.0  # a lift needs some bending: trunk (REBA band 2 edge) ...
    bent_knee_deg: float = 45.0  # ... or knees  [D]
    min_low_s: float = 0.2  # hands low at least this long to count  [D]
    rise_margin: float = 0.05  # hands this far above their lowest point = rising  [D]
    bottom_band: float = 0.15  # frames this close to the low point are "the bottom"  [D]
    lift_off_window_s: float = 0.3  # trunk/knee at lift-off: median over the last 0.3 s  [D]
    speed_span_s: float = 0.15  # hand speed over spans at least this long  [D]
    lift_off_speed_mps: float = 0.05  # [D: DOMAIN §4.2 lift phases]
    upright_trunk_deg: float = 30.0  # the lift ends with the trunk back under this  [D]
    standing_hip_height: float = 0.75  # standing: hips this high over the floor (leg lengths)
    min_bottom_hip_height: float = 0.3  # hips nearer the floor = lying/kneeling low, no lift
    #: A recording that starts with the person already bent at the load (a deadlift set up at the
    #: bar): a lift may start without standing first if the low posture is seen this early.
    first_frame_window_s: float = 0.5
    trunk_amber_deg: float = 20.0  # [S: REBA bands]
    trunk_red_deg: float = 60.0  # [S: REBA; Hoogendoorn2000]
    back_flex_increase_deg: float = 5.0  # [S→D: HSE-INDG143 wording; 5° D]
    h_green_cm: float = 25.0  # [S: NIOSH HM = 1 at <= 25 cm]
    h_red_cm: float = 40.0  # [D]
    twist_amber_deg: float = 30.0  # [S: Hoogendoorn2000]
    twist_red_deg: float = 45.0  # [S: HSE-INDG143]
    hand_speed_info_mps: float = 0.76  # [S→D: NIOSH validity]
    ssi_squat_max: float = 30.0  # [S: Schmid2022 squat norm]
    ssi_stoop_min: float = 65.0  # [D] see the module docstring
    stoop_trunk_deg: float = 80.0  # trunk near horizontal: the back is fully flexed  [D]
    min_cutoff: float = 1.5  # One Euro on body-normalised coordinates  [D]
    beta: float = 0.5
    d_cutoff: float = 1.0
    up_tau_s: float = 2.0  # time constant of the "up" re-estimate while standing  [D]
    leg_decay_s: float = 20.0  # image path: the standing leg length reference decays slowly
    max_samples: int = 900  # ring of a lift's samples (30 s at 30 fps): bounded memory
    frequency_window_s: float = 15.0 * 60.0  # NIOSH F: lifts per minute over 15 min


class LiftPhase(str, Enum):
    STANDING = "standing"
    LOW = "low"
    RISING = "rising"
    NOT_VISIBLE = "not_visible"


@dataclass(frozen=True)
class LiftSample:
    """One frame's lifting geometry (angles in degrees, lengths in leg lengths).

    ``leg_m`` is the leg length in metres when world landmarks give one (else NaN).
    """

    t: float
    hand_height: float
    hand_distance: float
    hip_height: float
    trunk: float
    knee: float
    hip: float
    twist: float
    leg_m: float
    source: str  # "world" | "image"


@dataclass(frozen=True)
class LiftFault:
    id: str
    severity: str  # "info" | "amber" | "red"
    cue: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "severity": self.severity, "cue": self.cue}


@dataclass(frozen=True)
class LiftEvent:
    """One lift (hands down to low and back up), measured at lift-off.

    Lengths are in leg lengths (hip→ankle); ``*_cm`` fields are filled when a scale is known
    (world landmarks, or :meth:`NioshEstimate.from_lift` with the user's height).
    """

    index: int
    start: float
    lift_off: float
    end: float
    complete: bool
    strategy: str
    ssi: float
    trunk_flexion_deg: float
    knee_flexion_deg: float
    hip_flexion_deg: float
    trunk_band: str
    back_flexion_increase_deg: float
    hand_height_origin: float
    hand_height_destination: float
    load_distance: float
    twist_deg: float
    peak_hand_speed: float  # leg lengths per second
    leg_m: float
    source: str
    faults: tuple[LiftFault, ...] = ()
    cues: tuple[str, ...] = ()

    @property
    def load_distance_cm(self) -> float:
        return self.load_distance * self.leg_m * 100.0 if self.leg_m == self.leg_m else NAN

    @property
    def peak_hand_speed_mps(self) -> float:
        return self.peak_hand_speed * self.leg_m if self.leg_m == self.leg_m else NAN

    def to_dict(self) -> dict[str, Any]:
        def r(x: float, n: int = 1) -> float | None:
            return round(x, n) if x == x and not math.isinf(x) else None

        return {
            "index": self.index,
            "start": r(self.start, 3),
            "lift_off": r(self.lift_off, 3),
            "end": r(self.end, 3),
            "complete": self.complete,
            "strategy": self.strategy,
            "ssi": r(self.ssi),
            "trunk_flexion_deg": r(self.trunk_flexion_deg),
            "knee_flexion_deg": r(self.knee_flexion_deg),
            "hip_flexion_deg": r(self.hip_flexion_deg),
            "trunk_band": self.trunk_band,
            "back_flexion_increase_deg": r(self.back_flexion_increase_deg),
            "hand_height_origin": r(self.hand_height_origin, 2),
            "hand_height_destination": r(self.hand_height_destination, 2),
            "load_distance": r(self.load_distance, 2),
            "load_distance_cm": r(self.load_distance_cm),
            "twist_deg": r(self.twist_deg),
            "peak_hand_speed": r(self.peak_hand_speed, 2),
            "peak_hand_speed_mps": r(self.peak_hand_speed_mps, 2),
            "source": self.source,
            "faults": [f.id for f in self.faults],
            "severity": {f.id: f.severity for f in self.faults},
            "cues": list(self.cues),
        }


# ---------------------------------------------------------------------------------------------
# Geometry


def _unit(v: FloatArray) -> FloatArray:
    n = float(np.linalg.norm(v))
    return v / n if n > 1e-12 else v * NAN


def _angle(a: FloatArray, b: FloatArray) -> float:
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na < 1e-12 or nb < 1e-12:
        return NAN
    c = float(np.dot(a, b)) / (na * nb)
    return math.acos(max(-1.0, min(1.0, c))) * DEG


def _flex(p: FloatArray, a: int, b: int, c: int) -> float:
    """Deviation from straight at b (DOMAIN §0)."""
    return 180.0 - _angle(p[a] - p[b], p[c] - p[b])


def _grip(p: FloatArray, ok: npt.NDArray[np.bool_], side: int) -> FloatArray | None:
    i, k, w = _INDEX[side], _PINKY[side], _WRIST[side]
    if ok[i] and ok[k]:
        return np.asarray((p[i] + p[k]) / 2.0, dtype=np.float64)
    if ok[w]:
        return np.asarray(p[w], dtype=np.float64)
    return None


def lift_sample(
    points: FloatArray,
    ok: npt.NDArray[np.bool_],
    up: FloatArray,
    leg: float,
    t: float,
    source: str,
    near: int = 0,
    leg_m: float = NAN,
) -> LiftSample | None:
    """The lifting geometry of one frame.

    Parameters
    ----------
    points : (33, 2) pixels or (33, 3) world coordinates, any scale.
    ok : (33,) which landmarks may be used (visibility gate; all True for world points).
    up : unit "up" vector in the same space.
    leg : the leg length (same units as ``points``) that normalises every length.
    near : 0 left, 1 right: the side used when only one leg counts (image path).
    """
    if not (leg > 0) or not (ok[_SH[near]] or ok[_SH[1 - near]]):
        return None
    sides = [0, 1] if source == "world" else [near]

    def mid(idx: list[int]) -> FloatArray | None:
        sel = [points[i] for i in idx if ok[i]]
        return np.mean(sel, axis=0) if sel else None

    sh, hp, an = mid(_SH), mid(_HIP), mid(_ANKLE)
    if sh is None or hp is None or an is None:
        return None
    feet = [float(np.dot(points[i], up)) for i in (*_HEEL, *_TOE, *_ANKLE) if ok[i]]
    grips = [g for g in (_grip(points, ok, 0), _grip(points, ok, 1)) if g is not None]
    if not feet or not grips:
        return None
    floor = min(feet)
    hand = np.mean(grips, axis=0)
    hand_h = (float(np.dot(hand, up)) - floor) / leg
    rel = hand - an
    horiz = rel - np.dot(rel, up) * up
    hand_d = float(np.linalg.norm(horiz)) / leg
    trunk = _angle(sh - hp, up)
    knees = [
        _flex(points, _HIP[s], _KNEE[s], _ANKLE[s])
        for s in sides
        if ok[_HIP[s]] and ok[_KNEE[s]] and ok[_ANKLE[s]]
    ]
    hips = [
        _flex(points, _SH[s], _HIP[s], _KNEE[s])
        for s in sides
        if ok[_SH[s]] and ok[_HIP[s]] and ok[_KNEE[s]]
    ]
    twist = NAN
    if source == "world":
        s_line = points[_SH[1]] - points[_SH[0]]
        h_line = points[_HIP[1]] - points[_HIP[0]]
        s_h = s_line - np.dot(s_line, up) * up
        h_h = h_line - np.dot(h_line, up) * up
        twist = _angle(s_h, h_h)
    return LiftSample(
        t=t,
        hand_height=hand_h,
        hand_distance=hand_d,
        hip_height=(float(np.dot(hp, up)) - floor) / leg,
        trunk=trunk,
        knee=float(np.mean(knees)) if knees else NAN,
        hip=float(np.mean(hips)) if hips else NAN,
        twist=twist,
        leg_m=leg_m,
        source=source,
    )


def ssi_proxy(trunk_deg: float, knee_deg: float) -> float:
    """Interim Stoop–Squat proxy ``100 · trunk / (trunk + knee)`` (DOMAIN §4.2 ``SSI*``)."""
    t, k = max(0.0, trunk_deg), max(0.0, knee_deg)
    if not (t == t and k == k) or t + k < 1e-9:
        return NAN
    return 100.0 * t / (t + k)


def strategy_from_ssi(ssi: float, config: LiftConfig | None = None, trunk_deg: float = NAN) -> str:
    """ "squat" (SSI* < 30), "stoop" (SSI* >= 65, or the trunk at or beyond 80° from vertical),
    else "semi-squat"; "unknown" when the angles were not seen (module docstring)."""
    cfg = config or LiftConfig()
    if trunk_deg == trunk_deg and trunk_deg >= cfg.stoop_trunk_deg:
        return "stoop"
    if ssi != ssi:
        return "unknown"
    if ssi < cfg.ssi_squat_max:
        return "squat"
    if ssi >= cfg.ssi_stoop_min:
        return "stoop"
    return "semi-squat"


def leg_length_cm_from_height(height_cm: float) -> float:
    """Hip-to-ankle length from body height (thigh + shank ≈ 0.491 H)."""
    if not (height_cm > 0 and math.isfinite(height_cm)):
        raise ValueError(f"height_cm must be a positive number, got {height_cm!r}")
    return height_cm * LEG_FRACTION_OF_HEIGHT


# ---------------------------------------------------------------------------------------------
# Detector


@dataclass
class _Lift:
    start: float
    low_since: float
    samples: deque[LiftSample]
    min_h: float = math.inf
    last_t: float = NAN


def _median(xs: list[float]) -> float:
    vals = [x for x in xs if x == x]
    return float(np.median(vals)) if vals else NAN


class LiftDetector:
    """Finds lifts in a stream of poses and scores each one (DOMAIN §4.2).

    Feed :class:`PoseFrame` objects (or ``None`` with a timestamp) in time order; ``update``
    returns a :class:`LiftEvent` on the frame a lift completes, else None. ``finish`` reports
    a lift still in progress (``complete=False``). Uses world landmarks when the pose has
    them, else image landmarks. Memory is bounded (a ring of rise samples, a ring of recent
    lift times for the frequency).
    """

    def __init__(self, config: LiftConfig | None = None, visibility_gate: float = 0.5) -> None:
        self.config = cfg = config or LiftConfig()
        self.visibility_gate = visibility_gate
        self._filter = OneEuroFilter(cfg.min_cutoff, cfg.beta, cfg.d_cutoff)
        self._filter_kind = ""
        self._up_world = np.array([0.0, -1.0, 0.0])
        self._leg_ref = NAN  # image path: standing leg length in pixels (decaying max)
        self._t = NAN
        self._first_t = NAN  # the first frame a person was seen
        self._lift_from_first_frame = False
        self._last_high_t = NAN  # the last time the person stood tall
        self._hands_high_t = NAN  # ... and the last time the hands were at standing height
        self._low_since = NAN
        self._lift: _Lift | None = None
        self.phase = LiftPhase.STANDING
        self.count = 0
        self.last_sample: LiftSample | None = None
        self._recent: deque[float] = deque(maxlen=256)
        self._pre: deque[LiftSample] = deque(maxlen=cfg.max_samples)

    # -- public -------------------------------------------------------------------------------

    def update(self, pose: PoseFrame | None, timestamp: float | None = None) -> LiftEvent | None:
        t = float(
            pose.timestamp if pose is not None else timestamp if timestamp is not None else NAN
        )
        if t != t:
            raise ValueError("a frame without a pose needs a timestamp")
        dt = 0.0 if self._t != self._t else max(0.0, t - self._t)
        self._t = t
        s = self._sample(pose, dt) if pose is not None else None
        self.last_sample = s
        if s is None or s.hand_height != s.hand_height:
            # Nothing seen: the lift in progress (if any) waits; timers do not advance.
            return None
        return self._step(s, dt)

    def finish(self) -> LiftEvent | None:
        """End of the stream: a lift still in progress is reported as incomplete."""
        lift = self._lift
        self._lift = None
        self.phase = LiftPhase.STANDING
        if lift is None or not lift.samples or self._lift_from_first_frame:
            # A lift assumed from the first frame is one only once the person stands up with it
            # (someone who never stands is on the floor, not lifting).
            return None
        return self._event(lift, lift.last_t, complete=False)

    def frequency_per_min(self, now: float | None = None) -> float:
        """Lifts per minute over the last 15 min (or since the first lift, if sooner)."""
        t = self._t if now is None else now
        if not self._recent or t != t:
            return 0.0
        window = self.config.frequency_window_s
        n = sum(1 for x in self._recent if t - x <= window)
        span = min(window, max(60.0, t - self._recent[0]))
        return n / (span / 60.0)

    # -- internals ----------------------------------------------------------------------------

    def _sample(self, pose: PoseFrame, dt: float) -> LiftSample | None:
        cfg = self.config
        world = pose.world
        if world is not None and np.isfinite(world).all():
            pts = world.astype(np.float64)
            legs = [
                float(
                    np.linalg.norm(pts[_HIP[s]] - pts[_KNEE[s]])
                    + np.linalg.norm(pts[_KNEE[s]] - pts[_ANKLE[s]])
                )
                for s in (0, 1)
            ]
            leg = float(np.mean(legs))
            if not leg > 1e-6:
                return None
            pts = self._smooth(pts / leg, pose.timestamp, "world")
            ok = np.ones(len(pts), dtype=bool)
            s = lift_sample(pts, ok, self._up_world, 1.0, pose.timestamp, "world", leg_m=leg)
            if s is not None:
                self._update_up(pts, s, dt)
            return s
        vis = pose.visibility
        px = pose.pixels()
        ok = (vis >= self.visibility_gate) & np.isfinite(px).all(axis=1)
        near = (
            0
            if float(vis[_SH[0]] + vis[_HIP[0]] + vis[_KNEE[0]] + vis[_ANKLE[0]])
            >= float(vis[_SH[1]] + vis[_HIP[1]] + vis[_KNEE[1]] + vis[_ANKLE[1]])
            else 1
        )
        h, k, a = _HIP[near], _KNEE[near], _ANKLE[near]
        if ok[h] and ok[k] and ok[a]:
            cur = float(np.linalg.norm(px[h] - px[k]) + np.linalg.norm(px[k] - px[a]))
            if self._leg_ref != self._leg_ref:
                self._leg_ref = cur
            else:
                # Foreshortening only ever shortens a leg: keep a slowly decaying maximum.
                decayed = self._leg_ref * math.exp(-dt / cfg.leg_decay_s)
                self._leg_ref = max(cur, decayed)
        if self._leg_ref != self._leg_ref:
            return None
        pts = self._smooth(px / self._leg_ref, pose.timestamp, "image")
        up = np.array([0.0, -1.0])
        return lift_sample(pts, ok, up, 1.0, pose.timestamp, "image", near=near)

    def _smooth(self, pts: FloatArray, t: float, kind: str) -> FloatArray:
        if kind != self._filter_kind:
            self._filter.reset()
            self._filter_kind = kind
        return self._filter(pts, t)

    def _update_up(self, pts: FloatArray, s: LiftSample, dt: float) -> None:
        """Standing tall: the ankle→shoulder direction is the body's vertical; follow it slowly."""
        if not (
            s.knee == s.knee
            and s.knee < 25.0
            and s.trunk < 35.0
            and s.hand_height > self.config.hands_low_exit
        ):
            return
        sh = (pts[_SH[0]] + pts[_SH[1]]) / 2.0
        an = (pts[_ANKLE[0]] + pts[_ANKLE[1]]) / 2.0
        axis = _unit(sh - an)
        if not np.isfinite(axis).all():
            return
        a = min(1.0, dt / self.config.up_tau_s)
        self._up_world = _unit(self._up_world + a * (axis - self._up_world))

    def _standing(self, s: LiftSample) -> bool:
        cfg = self.config
        return (
            s.hand_height >= cfg.hands_low_exit
            and s.trunk == s.trunk
            and s.trunk < cfg.upright_trunk_deg
            and s.hip_height >= cfg.standing_hip_height
        )

    def _bent(self, s: LiftSample) -> bool:
        cfg = self.config
        return (s.trunk == s.trunk and s.trunk >= cfg.bent_trunk_deg) or (
            s.knee == s.knee and s.knee >= cfg.bent_knee_deg
        )

    def _step(self, s: LiftSample, dt: float) -> LiftEvent | None:
        cfg = self.config
        h = s.hand_height
        if self._first_t != self._first_t:
            self._first_t = s.t
        if self._lift is None:
            if (self._last_high_t != self._last_high_t and s.t - self._first_t <= cfg.first_frame_window_s
                    and self._bent(s) and h < cfg.hands_low_exit
                    and not s.hip_height < cfg.min_bottom_hip_height):
                # Already bent at the load when the stream starts (a deadlift set up at the bar):
                # the lift began before the first frame, so it starts there. The hands need not
                # read low: at the bar they are often hidden by the load.
                self._last_high_t = self._hands_high_t = self._low_since = self._first_t
                self._pre.clear()
                self._pre.append(s)
                self._lift = _Lift(start=self._first_t, low_since=self._first_t,
                                   samples=deque(self._pre, maxlen=cfg.max_samples))
                self._lift_from_first_frame = True
                self.phase = LiftPhase.LOW
            if self._standing(s):
                self._last_high_t = self._hands_high_t = s.t
            elif h >= cfg.hands_low_exit and self._last_high_t == self._last_high_t:
                self._hands_high_t = s.t
            # A lift starts from standing: floor exercises (lying, all fours) never qualify.
            if (
                self._last_high_t == self._last_high_t
                and h < cfg.hands_low_enter
                and self._bent(s)
                and not s.hip_height < cfg.min_bottom_hip_height
            ):
                if self._low_since != self._low_since:
                    self._low_since = s.t
                    self._pre.clear()
                self._pre.append(s)
                if s.t - self._low_since >= cfg.min_low_s:
                    self._lift = _Lift(
                        start=self._hands_high_t,
                        low_since=self._low_since,
                        samples=deque(self._pre, maxlen=cfg.max_samples),
                    )
                    self.phase = LiftPhase.LOW
            else:
                self._low_since = NAN
            if self._lift is None:
                return None
        else:
            self._lift.samples.append(s)
        lift = self._lift
        lift.last_t = s.t
        lift.min_h = min(lift.min_h, h)
        # The phase is for display; the event is measured afterwards from the samples.
        self.phase = LiftPhase.RISING if h >= lift.min_h + cfg.rise_margin else LiftPhase.LOW
        if self._standing(s):
            self._lift = None
            self._lift_from_first_frame = False
            self.phase = LiftPhase.STANDING
            self._last_high_t = s.t
            self._low_since = NAN
            return self._event(lift, s.t, complete=True)
        return None

    def _event(self, lift: _Lift, end: float, complete: bool) -> LiftEvent:
        cfg = self.config
        samples = list(lift.samples)
        lows = [x.hand_height for x in samples if x.hand_height < cfg.hands_low_enter]
        # The bottom of the lift: robust to a few glitchy frames (a hand flicked below the
        # floor), it is every frame within bottom_band of the 20th-percentile low height.
        h_lo = float(np.percentile(lows, 20)) if lows else min(x.hand_height for x in samples)
        # The minimum: the last frame at the lowest level; lift-off is where the hands then
        # start up faster than 0.05 m/s (DOMAIN §4.2).
        j = max(i for i, x in enumerate(samples) if x.hand_height <= h_lo + cfg.rise_margin)
        low_legs = [x.leg_m for x in samples[: j + 1] if x.hand_height <= h_lo + cfg.bottom_band]
        leg_m = _median(low_legs)
        scale_m = leg_m if leg_m == leg_m else TYPICAL_LEG_M
        v_min = cfg.lift_off_speed_mps / scale_m
        k = j
        while k + 1 < len(samples):
            a, b = samples[k], samples[k + 1]
            if b.t > a.t and (b.hand_height - a.hand_height) / (b.t - a.t) > v_min:
                break
            k += 1
        lift_off = samples[k].t
        # Posture "at lift-off": medians over the bottom of the lift up to lift-off.
        bottom = [x for x in samples[: k + 1] if x.hand_height <= h_lo + cfg.bottom_band]
        at_off = [x for x in bottom if x.t >= lift_off - cfg.lift_off_window_s]
        trunk = _median([x.trunk for x in bottom])
        knee = _median([x.knee for x in bottom])
        hip = _median([x.hip for x in bottom])
        origin = _median([x.hand_height for x in bottom])
        dist = _median([x.hand_distance for x in bottom])
        twist = _median([x.twist for x in bottom])
        rise = [x for x in samples if x.t > lift_off]
        dest = samples[-1].hand_height
        # Back flexion during the first 30 % of the hand travel, while the knees extend (the
        # legs straighten before the load rises: HSE).
        increase = NAN
        knees_extend = False
        off_trunk = _median([x.trunk for x in at_off])
        off_knee = _median([x.knee for x in at_off])
        if rise and dest > origin:
            target = origin + 0.3 * (dest - origin)
            at30 = next((x for x in rise if x.hand_height >= target), rise[-1])
            window = [x.trunk for x in rise if x.t <= at30.t and x.trunk == x.trunk]
            if window:
                increase = max(window) - off_trunk
            knees_extend = (
                at30.knee == at30.knee and off_knee == off_knee and at30.knee < off_knee - 2.0
            )
        # Peak upward hand speed over >= 0.15 s spans (frame-to-frame differences are noise).
        peak = 0.0
        j = 0
        for i, x in enumerate(rise):
            while j < i and x.t - rise[j + 1].t >= cfg.speed_span_s:
                j += 1
            if x.t - rise[j].t >= cfg.speed_span_s:
                peak = max(peak, (x.hand_height - rise[j].hand_height) / (x.t - rise[j].t))
        self.count += 1
        self._recent.append(lift_off)
        ssi = ssi_proxy(trunk, knee)
        strategy = strategy_from_ssi(ssi, cfg, trunk)
        band = (
            "unknown"
            if trunk != trunk
            else "low"
            if trunk <= cfg.trunk_amber_deg
            else ("medium" if trunk <= cfg.trunk_red_deg else "high")
        )
        faults: list[LiftFault] = []
        if band == "high":
            faults.append(
                LiftFault(
                    "trunk_flexion_high",
                    "red",
                    "Your back bent a long way forward. Bend your hips and knees a little more so your "
                    "back does not have to bend as far.",
                )
            )
        if increase == increase and increase > cfg.back_flex_increase_deg and knees_extend:
            faults.append(
                LiftFault(
                    "back_flexion_during_rise",
                    "amber",
                    "Your legs straightened before the load came up, so your back bent further. "
                    "Let your legs and back straighten together.",
                )
            )
        h_cm = dist * scale_m * 100.0
        if h_cm > cfg.h_green_cm:
            faults.append(
                LiftFault(
                    "load_far",
                    "red" if h_cm > cfg.h_red_cm else "amber",
                    "Keep the load close to your waist: slide it towards you before you lift.",
                )
            )
        if twist == twist and twist > cfg.twist_amber_deg:
            faults.append(
                LiftFault(
                    "twist",
                    "red" if twist > cfg.twist_red_deg else "amber",
                    "Turn by moving your feet rather than twisting your back.",
                )
            )
        if peak * scale_m > cfg.hand_speed_info_mps:
            faults.append(
                LiftFault("fast", "info", "Move smoothly; there is no need to rush the lift.")
            )
        cues = [f.cue for f in faults]
        if strategy == "stoop":
            cues.append(
                "You bent mainly at the back (a stoop). Starting with a slight bend of your back, "
                "hips and knees is usually easier to control."
            )
        elif strategy == "squat":
            cues.append(
                "You bent mainly at the knees (a full squat). Unless the load is between your feet, "
                "a slight bend of back, hips and knees is usually easier."
            )
        if not complete:
            cues.append("This lift was still in progress when the recording ended.")
        return LiftEvent(
            index=self.count,
            start=lift.start,
            lift_off=lift_off,
            end=end,
            complete=complete,
            strategy=strategy,
            ssi=ssi,
            trunk_flexion_deg=trunk,
            knee_flexion_deg=knee,
            hip_flexion_deg=hip,
            trunk_band=band,
            back_flexion_increase_deg=increase,
            hand_height_origin=origin,
            hand_height_destination=dest,
            load_distance=dist,
            twist_deg=twist,
            peak_hand_speed=peak,
            leg_m=leg_m,
            source=samples[-1].source,
            faults=tuple(faults),
            cues=tuple(cues),
        )


# ---------------------------------------------------------------------------------------------
# NIOSH


@dataclass(frozen=True)
class NioshEstimate:
    """Camera estimates of the NIOSH geometry (DOMAIN §4.3) for one lift.

    Attributes
    ----------
    h_cm : horizontal hand distance from the ankle mid-point at the origin.
    v_origin_cm, v_destination_cm : hand height above the floor at lift-off and at the end.
    d_cm : vertical travel.
    a_deg : asymmetry (twist) at the origin; 0 when the view cannot show it (see ``notes``).
    scale : where the centimetres came from ("user height" or "world landmarks").
    """

    h_cm: float
    v_origin_cm: float
    v_destination_cm: float
    d_cm: float
    a_deg: float
    scale: str
    notes: tuple[str, ...] = ()

    @classmethod
    def from_lift(cls, lift: LiftEvent, user_height_cm: float | None = None) -> NioshEstimate:
        """Scale a lift's ratios to centimetres: the user's height (preferred: MediaPipe's
        metric scale is itself an estimate) or the world landmarks' leg length.

        Raises
        ------
        ValueError
            Neither a height nor world landmarks give a scale.
        """
        notes: list[str] = []
        if user_height_cm is not None:
            leg_cm = leg_length_cm_from_height(user_height_cm)
            scale = "user height"
        elif lift.leg_m == lift.leg_m:
            leg_cm = lift.leg_m * 100.0
            scale = "world landmarks"
            notes.append(
                "scale from the pose model's metric estimate; enter your height for a better one"
            )
        else:
            raise ValueError(
                "no scale: enter the user's height (image landmarks have no metric scale)"
            )
        a = lift.twist_deg
        if a != a:
            a = 0.0
            notes.append("twist not observable from this view; asymmetry assumed 0°")
        v0 = max(0.0, lift.hand_height_origin * leg_cm)
        v1 = max(0.0, lift.hand_height_destination * leg_cm)
        return cls(
            h_cm=max(0.0, lift.load_distance * leg_cm),
            v_origin_cm=v0,
            v_destination_cm=v1,
            d_cm=abs(v1 - v0),
            a_deg=min(180.0, max(0.0, a)),
            scale=scale,
            notes=tuple(notes),
        )

    def niosh_input(
        self,
        load_kg: float,
        frequency_per_min: float,
        duration: str | float = "short",
        coupling: str = "fair",
    ) -> NioshInput:
        """The NIOSH input at the origin, with the user's load, frequency and coupling."""
        return NioshInput(
            load_kg=load_kg,
            h_cm=self.h_cm,
            v_cm=self.v_origin_cm,
            d_cm=self.d_cm,
            a_deg=self.a_deg,
            frequency_per_min=frequency_per_min,
            duration=duration,
            coupling=coupling,
        )

    def compute(
        self,
        load_kg: float,
        frequency_per_min: float,
        duration: str | float = "short",
        coupling: str = "fair",
    ) -> NioshResult:
        """RWL and lifting index at the origin (:func:`coach.core.ergonomics.compute_niosh`)."""
        return compute_niosh(self.niosh_input(load_kg, frequency_per_min, duration, coupling))
