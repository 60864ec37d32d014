"""How one lift is judged (DOMAIN §4.1–4.3): the tunables (:class:`LiftConfig`), the lift's
measures at lift-off and during the rise (:func:`score_lift`), the squat / semi-squat / stoop
strategy, the faults with their calm cues (:class:`LiftEvent`, :class:`LiftFault`), and the
NIOSH geometry in centimetres (:class:`NioshEstimate`).


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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from coach.core.ergonomics import NioshInput, NioshResult, compute_niosh
from coach.core.lifting.geometry import (
    NAN,
    TYPICAL_LEG_M,
    LiftSample,
    leg_length_cm_from_height,
)


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


def _median(xs: list[float]) -> float:
    vals = [x for x in xs if x == x]
    return float(np.median(vals)) if vals else NAN


def _lift_off(samples: Sequence[LiftSample], cfg: LiftConfig) -> tuple[int, float, float]:
    """Where the lift leaves its bottom: (index of the lift-off sample, the bottom hand height,
    the leg length in metres at the bottom or NaN)."""
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
    return k, h_lo, leg_m


def _back_flexion_during_rise(
    rise: Sequence[LiftSample], origin: float, dest: float, off_trunk: float, off_knee: float
) -> tuple[float, bool]:
    """Back flexion during the first 30 % of the hand travel, while the knees extend (the legs
    straighten before the load rises: HSE): (the increase in degrees or NaN, knees extended)."""
    increase = NAN
    knees_extend = False
    if rise and dest > origin:
        target = origin + 0.3 * (dest - origin)
        at30 = next((x for x in rise if x.hand_height >= target), rise[-1])
        window = [x.trunk for x in rise if x.t <= at30.t and x.trunk == x.trunk]
        if window:
            increase = max(window) - off_trunk
        knees_extend = (
            at30.knee == at30.knee and off_knee == off_knee and at30.knee < off_knee - 2.0
        )
    return increase, knees_extend


def _peak_hand_speed(rise: Sequence[LiftSample], span_s: float) -> float:
    """Peak upward hand speed (leg lengths/s) over >= ``span_s`` spans (frame-to-frame
    differences are noise)."""
    peak = 0.0
    j = 0
    for i, x in enumerate(rise):
        while j < i and x.t - rise[j + 1].t >= span_s:
            j += 1
        if x.t - rise[j].t >= span_s:
            peak = max(peak, (x.hand_height - rise[j].hand_height) / (x.t - rise[j].t))
    return peak


def _trunk_band(trunk: float, cfg: LiftConfig) -> str:
    if trunk != trunk:
        return "unknown"
    if trunk <= cfg.trunk_amber_deg:
        return "low"
    return "medium" if trunk <= cfg.trunk_red_deg else "high"


def _faults(
    band: str,
    increase: float,
    knees_extend: bool,
    h_cm: float,
    twist: float,
    speed_mps: float,
    cfg: LiftConfig,
) -> list[LiftFault]:
    """The HSE faults of one lift (module docstring), in a fixed order."""
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
    if speed_mps > cfg.hand_speed_info_mps:
        faults.append(
            LiftFault("fast", "info", "Move smoothly; there is no need to rush the lift.")
        )
    return faults


def _cues(faults: Sequence[LiftFault], strategy: str, complete: bool) -> tuple[str, ...]:
    """The faults' cues, then a word on the strategy, then whether the lift was cut short."""
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
    return tuple(cues)


def score_lift(
    samples: Sequence[LiftSample],
    *,
    index: int,
    start: float,
    end: float,
    complete: bool,
    config: LiftConfig,
) -> LiftEvent:
    """Measure and judge one lift from its samples (hands low to standing again).

    Parameters
    ----------
    samples : the lift's frames in time order (at least one).
    index : the lift's number in the stream (1 for the first).
    start, end : when the hands left standing height, and when the person stood up again (the
        last sample's time for a lift cut short).
    complete : False when the stream ended before the person stood up.
    config : the thresholds.
    """
    cfg = config
    samples = list(samples)
    k, h_lo, leg_m = _lift_off(samples, cfg)
    scale_m = leg_m if leg_m == leg_m else TYPICAL_LEG_M
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
    increase, knees_extend = _back_flexion_during_rise(
        rise, origin, dest, _median([x.trunk for x in at_off]), _median([x.knee for x in at_off])
    )
    peak = _peak_hand_speed(rise, cfg.speed_span_s)
    ssi = ssi_proxy(trunk, knee)
    strategy = strategy_from_ssi(ssi, cfg, trunk)
    band = _trunk_band(trunk, cfg)
    faults = _faults(
        band, increase, knees_extend, dist * scale_m * 100.0, twist, peak * scale_m, cfg
    )
    return LiftEvent(
        index=index,
        start=start,
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
        cues=_cues(faults, strategy, complete),
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
