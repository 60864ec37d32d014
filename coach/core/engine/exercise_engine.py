"""The top of the scoring engine: :class:`ExerciseEngine`, its per-frame step and its report.

:meth:`ExerciseEngine.update` takes one frame through the whole path: the clock (gaps, time that
never runs backwards), who is exercising, the camera (smoothing, near side, facing, a jump to
another body or a cut, a changed framing), the measurement (the signal in use, or the hold's
in-position checks), the state machine step of the current phase, and faults. :meth:`finish`
closes the stream and :meth:`summary` gives the report. The layers it is built from (set-up,
reps, holds, faults, the shared base) each live in their own module of this package.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
import numpy.typing as npt

from coach.core.contracts import ExerciseLike
from coach.core.engine.faults import _FaultSteps
from coach.core.engine.results import Cue, EngineConfig, EngineStatus, ExerciseReport, State
from coach.core.engine.setup_phase import _SetupSteps
from coach.core.engine.trackers import SIDE_JOINTS, _body_centre, _ViewGate
from coach.core.engine.tunables import (
    CLOSE_UP_EDGE,
    END_HOLD_S,
    END_RETURN_P,
    MAX_FRAME_GAP_S,
    SHAPE_JUMP_DEG,
    SHAPE_JUMP_S,
    SMALL_RANGE,
    VIEW_SCALE_LIMIT,
)
from coach.core.landmarks import PoseFrame
from coach.core.metrics import FRAME_MARGIN, FrameView, Side, body_scale
from coach.core.smoothing import OneEuroFilter


class ExerciseEngine(_SetupSteps, _FaultSteps):
    """Scores one exercise from a stream of poses. Not thread-safe: one engine, one thread."""

    def __init__(self, exercise: ExerciseLike, config: EngineConfig | None = None) -> None:
        super().__init__(exercise, config)
        self.view_changed = False
        self._close_up = False
        self._trunk_dir: deque[tuple[float, float]] = deque()
        self._jumps = 0

    # -- the per-frame step ----------------------------------------------------------------------

    def update(self, pose: PoseFrame | None, timestamp: float | None = None) -> EngineStatus:
        """Score one frame. ``pose`` None means no person was found in this frame."""
        t, dt = self._advance_clock(pose, timestamp)
        pose = self._follow_person(pose, t)
        if pose is None:
            return self._update_unseen(t, dt)
        v = self._frame_view(pose, t, dt)
        value, valid, in_pos = self._measure_frame(v, dt)
        if not valid:
            return self._update_unseen(t, dt, v)
        event = self._step_state(v, value, in_pos, t, dt)
        cue = self._step_faults(v, t)
        return self._seen_status(t, value, cue, event)

    def _advance_clock(
        self, pose: PoseFrame | None, timestamp: float | None
    ) -> tuple[float, float]:
        """The frame's time and the time since the last frame (0 across a gap the engine did not
        see, which is reported as not visible)."""
        t = float(
            pose.timestamp if pose is not None else timestamp if timestamp is not None else math.nan
        )
        if t != t:
            raise ValueError("a frame without a pose needs a timestamp")
        dt = 0.0 if self._t != self._t else max(0.0, t - self._t)
        if dt > MAX_FRAME_GAP_S:
            self._not_visible_s += dt
            if self.state is State.HOLDING:
                self._hold_nv += dt
            dt = 0.0
        if self._t0 != self._t0:
            self._t0 = t
        if self._t == self._t and t < self._t:
            t = self._t  # never let time run backwards inside the engine
        self._t = t
        return t, dt

    def _follow_person(self, pose: PoseFrame | None, t: float) -> PoseFrame | None:
        """The pose of the person who is exercising, when the frame shows several."""
        people = 0 if pose is None else 1 + len(pose.others)
        if pose is not None and (pose.others or self._people.engaged):
            pose = self._people.choose(pose, t)
            if self._people.switched:
                # The engine now follows another person: nothing of the last one's movement counts.
                self._jumps += 1
                self._filter = OneEuroFilter(
                    self.config.min_cutoff, self.config.beta, self.config.d_cutoff
                )
                self._view_gate = _ViewGate()
                if self.state is not State.SETUP:
                    self._to_setup_after_jump()
        self._people_now = people
        self._followed = pose if people > 1 else None
        return pose

    def _side_for_frame(self, better_seen: Side, vis: npt.NDArray[np.float32]) -> Side:
        """The better-seen side is chosen per rep: it is taken when a rep (or hold) starts and kept
        until it ends, so a rep is not measured half on one leg and half on the other when the
        person turns or the far limb comes out clearer for a moment mid-rep. Only when the rep's
        side can no longer be measured at all (its joints below the visibility gate) does the
        other side take over."""
        if self.state in (State.MOVING, State.WORK, State.HOLDING) and self._rep_side is not None:
            kept = self._rep_side
            joints = SIDE_JOINTS[kept]
            if float(np.min(vis[joints])) >= self.config.visibility_gate:
                return kept
        self._rep_side = better_seen
        return better_seen

    def _frame_view(self, pose: PoseFrame, t: float, dt: float) -> FrameView:
        """The smoothed view of the pose; notices jumps, cuts and a changed framing on the way."""
        vis = pose.image[:, 3]
        raw_v = FrameView(
            pose.pixels().tolist(),
            vis.tolist(),
            pose.width,
            pose.height,
            None,
            self.config.visibility_gate,
        )
        cx, cy = _body_centre(raw_v)
        raw_scale = body_scale(raw_v)
        jumped = self._view_gate.jumped(cx, cy, raw_scale, t)
        rescaled = abs(math.log(self._view_gate.ratio(raw_scale))) > math.log(1.25)
        if jumped:
            # The body is somewhere else in the picture from one frame to the next. The smoothed
            # landmarks would drag between the two places: start the filter afresh.
            self._filter = OneEuroFilter(
                self.config.min_cutoff, self.config.beta, self.config.d_cutoff
            )
        pts = self._filter(pose.pixels(), t)
        side = self._side_for_frame(self._side.update(vis, dt), vis)
        margin = -CLOSE_UP_EDGE if self._close_up else FRAME_MARGIN
        v = FrameView(
            pts.tolist(),
            vis.tolist(),
            pose.width,
            pose.height,
            side,
            self.config.visibility_gate,
            margin=margin,
        )
        v.facing = self._facing.update(v.raw_facing(), dt)
        scale = body_scale(v) if not jumped else raw_scale
        if jumped and not rescaled and self.state is not State.SETUP:
            # Same size, another place: someone else (or the tracker swapped people). Do not
            # count it: back to set-up, which needs the start position again.
            self._jumps += 1
            self._to_setup_after_jump()
        elif jumped:
            self._jumps += 1  # a camera cut: same person, new framing; counting goes on
        if self._shape_jumped(raw_v, t) and self.state is State.HOLDING:
            self._end_hold(t)
            self.state = State.REST
            self._hold_in_since = math.nan
            self._hold_prev = math.nan
        self.view_changed = not self._view_gate.ok(scale, dt)
        if self.view_changed and self._set_scale == self._set_scale:
            self._close_up = self._view_gate.ref / self._set_scale > VIEW_SCALE_LIMIT

        if (
            self._signal is not None
            and self._signal.views
            and (self.state in (State.SETUP,) or self._view is None)
        ):
            self._choose_view(v, dt)
        return v

    def _measure_frame(self, v: FrameView, dt: float) -> tuple[float, bool, bool]:
        """(value, valid, in position): the signal in use, or a hold's in-position checks."""
        if self.kind == "hold":
            # Each in-position metric is computed once per frame.
            checks = self._in_pos
            vals = [c.value(v) for c in checks]
            fb = False
            if not all(x == x for x in vals) and self._in_pos_fb:
                # The joints the position is judged on are out of the picture: judge it on the
                # fallback checks (fewer joints) instead.
                checks = self._in_pos_fb
                vals = [c.value(v) for c in checks]
                fb = True
            if fb != self._hold_fb:
                self._hold_prev = math.nan  # another metric: its speed starts afresh
                self._hold_fb = fb
            value = vals[0]
            valid = all(x == x for x in vals)
            in_pos = valid and all(c.test(x) for c, x in zip(checks, vals))
            self._track_hold_speed(value, dt)
        else:
            value = self._measure(v) if self._signal is not None else math.nan
            valid = value == value
            in_pos = False
        return value, valid, in_pos

    def _step_state(
        self, v: FrameView, value: float, in_pos: bool, t: float, dt: float
    ) -> str | None:
        """One step of the state machine on a seen frame; returns the event it raised, if any."""
        if self.state is State.NOT_VISIBLE:
            self.state = State.HOLDING if self._resume_state is State.HOLDING else State.REST
            if self.kind != "hold":
                self._resume_from_unseen(value, t)
        self._last_valid_t = t
        self._last_value = value

        event: str | None = None
        if self.state is State.SETUP:
            event = self._step_setup(v, value, in_pos, t)
        elif self.kind == "hold":
            event = self._step_hold(in_pos, t, dt, value)
        else:
            event = self._step_reps(value, t, dt)
        return event

    def _seen_status(
        self, t: float, value: float, cue: Cue | None, event: str | None
    ) -> EngineStatus:
        """The snapshot after a frame on which the signal was measured."""
        progress = (
            self._progress(value) if value == value and self._signal is not None else math.nan
        )
        return EngineStatus(
            timestamp=t,
            state=self.state,
            reps=len(self.reps),
            partial_reps=self.partial_reps,
            value=value,
            progress=progress,
            hold_s=self._hold_time if self.state is State.HOLDING else 0.0,
            holds=len(self.holds),
            active_faults=tuple(f.spec.id for f in self._faults if f.active),
            cue=cue,
            visible=True,
            event=event,
            person_unsure=self._people.unsure,
            people=self._people_now,
            person=self._followed,
        )

    def _shape_jumped(self, v: FrameView, t: float) -> bool:
        """The trunk's direction turned faster than any person can (a cut to another scene)."""
        li, ri = 11, 12
        lh, rh = 23, 24
        if not (v.ok[li] and v.ok[ri] and v.ok[lh] and v.ok[rh]):
            return False
        sx, sy = (v.x[li] + v.x[ri]) / 2, (v.y[li] + v.y[ri]) / 2
        hx, hy = (v.x[lh] + v.x[rh]) / 2, (v.y[lh] + v.y[rh]) / 2
        ang = math.degrees(math.atan2(sy - hy, sx - hx))
        hist = self._trunk_dir
        while hist and t - hist[0][0] > SHAPE_JUMP_S:
            hist.popleft()
        jumped = any(abs((ang - a + 180.0) % 360.0 - 180.0) > SHAPE_JUMP_DEG for _, a in hist)
        hist.append((t, ang))
        if jumped:
            hist.clear()
        return jumped

    @property
    def person_jumps(self) -> int:
        """How often the tracked body jumped (another person, or a camera cut)."""
        return self._jumps

    # -- end of stream ---------------------------------------------------------------------------

    def resume_after_pause(self) -> None:
        """The person paused the session: the time it was paused is neither counted as seen nor
        as out of view (the next frame starts a fresh interval)."""
        self._t = math.nan

    def finish(self) -> None:
        """Close the stream: a hold in progress is recorded; a rep that reached the work zone and
        is most of the way back is counted (a recording that stops mid-return)."""
        if self.state is State.HOLDING or (
            self.state is State.NOT_VISIBLE and self._resume_state is State.HOLDING
        ):
            self._end_hold(self._t)
            self.state = State.REST
        elif (
            self.state is State.WORK
            and self._last_value == self._last_value
            and self._progress(self._last_value) <= END_RETURN_P
        ):
            self._finish_rep(self._t)
            self.state = State.REST
        elif (
            self.kind != "hold"
            and self._signal is not None
            and self.state is not State.SETUP
            and (self._last_value == self._last_value)
            and (swing := self._swing.end_of_stream(self._progress(self._last_value))) is not None
        ):
            # A swing in the person's own range, more than half-way back: as for the prescribed one.
            start, peak_p, valley_p = swing
            self._rep_start = start if start == start else self._last_rest_t
            self._peak_progress = peak_p
            self._peak = self._rest + self._dir * self._span * peak_p
            hf = self._h / self._span
            if peak_p < 1.0 - hf or valley_p > hf:
                self._rep_faults = [*self._rep_faults, SMALL_RANGE]
            self._finish_rep(self._t)
            self.state = State.REST
        elif (
            self.state is State.WORK
            and float(self.exercise.dose.hold_s) > 0
            and self._work_time >= max(END_HOLD_S, float(self.exercise.dose.hold_s))
        ):
            # A rep whose goal is a hold in the worked position (a stretch), held for the
            # prescribed time when the stream ended: the rep reached its goal, so it counts.
            self._finish_rep(self._t)
            self.state = State.REST

    @property
    def not_visible_s(self) -> float:
        return self._not_visible_s

    @property
    def view(self) -> str | None:
        return self._view

    def fault_counts(self) -> dict[str, int]:
        out = {f.spec.id: f.count for f in self._faults if f.count}
        small = sum(SMALL_RANGE in r.faults for r in self.reps)
        if small:
            out[SMALL_RANGE] = small
        return out

    def report(self) -> ExerciseReport:
        """The report of everything scored so far."""
        return ExerciseReport(
            exercise=self.exercise.id,
            kind=self.kind,
            view=self._view,
            reps=len(self.reps),
            partial_reps=self.partial_reps,
            reps_detail=tuple(self.reps),
            holds_detail=tuple(self.holds),
            faults=tuple(self.fault_counts().items()),
            not_visible_s=self._not_visible_s,
            cues=tuple(self.cues),
        )

    def summary(self) -> dict[str, object]:
        """The report of everything scored so far, JSON-ready (``report().as_dict()``)."""
        return self.report().as_dict()
