"""Who is exercising? Choosing one person when the pose model finds several.

With ``num_poses`` > 1 the estimator hands the engine every person it found
(``PoseFrame.others``). A bystander may be larger, nearer the camera or first in the model's
order; the exerciser is the one who is

* in the exercise's start position (or, for a hold, in the held position),
* moving through the exercise's signal (the range of the signal over the last seconds), and
* the same body from frame to frame (identities are kept by position and size continuity).

:class:`PersonSelector` scores every identity with slow averages of those cues, keeps the chosen
one until another has been clearly better for ``SWITCH_S``, and says when it is unsure (two
identities score alike), so the session can say so on screen.

Numbers only (no Qt, no model): the engine gives it a ``fitness(pose) -> (start_ok, progress)``
function, progress in units of the prescribed range (0 rest, 1 work; NaN when not measurable).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from coach.core.landmarks import BODY_CORE, PoseFrame

Fitness = Callable[[PoseFrame], tuple[bool, float]]

#: A candidate within this many trunk lengths of an identity's last place is that identity.
MATCH_TRUNKS = 0.75
#: An identity unseen for longer than this is forgotten.
FORGET_S = 1.5
#: Time constant of the start-position and visibility averages.
SCORE_TAU_S = 1.0
#: The signal's range over this window shows who is moving in the exercise.
MOTION_WINDOW_S = 3.0
#: Another identity must lead by this margin for this long before the engine follows it.
SWITCH_MARGIN = 0.35
SWITCH_S = 1.0
#: Scores closer than this (with both people in view) mean "unsure".
UNSURE_MARGIN = 0.2
_CORE = [int(i) for i in BODY_CORE]


def _centre_scale(pose: PoseFrame) -> tuple[float, float, float]:
    px = pose.pixels()
    c = px[_CORE]
    sh, hp = c[:2].mean(axis=0), c[2:].mean(axis=0)
    mid = c.mean(axis=0)
    return float(mid[0]), float(mid[1]), float(math.hypot(*(sh - hp)))


@dataclass
class _Identity:
    id: int
    cx: float
    cy: float
    scale: float
    last_t: float
    start: float = 0.0  # average of "in the start position"
    seen: float = 0.0  # average of "the signal can be measured"
    values: deque[tuple[float, float]] = field(default_factory=deque)
    lead_since: float = math.nan

    def motion(self) -> float:
        xs = [p for _, p in self.values]
        if len(xs) < 2:
            return 0.0
        return min(1.0, max(xs) - min(xs))

    def score(self) -> float:
        return self.start + self.motion() + 0.5 * self.seen


class PersonSelector:
    """Keeps the exercising person among several (see the module docstring)."""

    def __init__(self, fitness: Fitness) -> None:
        self._fitness = fitness
        self._ids: list[_Identity] = []
        self._next_id = 0
        self.current: int | None = None
        self.switched = False
        self.unsure = False
        self._last_multi_t = -math.inf

    @property
    def engaged(self) -> bool:
        """Several people were seen recently: single detections are checked against the choice."""
        return self.current is not None and len(self._ids) > 1

    def _match(self, pose: PoseFrame, t: float, taken: set[int]) -> _Identity:
        cx, cy, sc = _centre_scale(pose)
        best, best_d = None, math.inf
        for ident in self._ids:
            if ident.id in taken:
                continue
            ref = max(ident.scale, sc, 1e-6)
            d = math.hypot(cx - ident.cx, cy - ident.cy) / ref
            ratio = sc / ident.scale if ident.scale > 0 else 1.0
            if d < MATCH_TRUNKS and 0.6 < ratio < 1.6 and d < best_d:
                best, best_d = ident, d
        if best is None:
            best = _Identity(self._next_id, cx, cy, sc, t)
            self._next_id += 1
            self._ids.append(best)
        else:
            best.cx, best.cy, best.scale = cx, cy, sc
        return best

    def _update_scores(self, ident: _Identity, pose: PoseFrame, t: float) -> None:
        dt = max(0.0, t - ident.last_t)
        a = 1.0 if not ident.values and ident.seen == 0.0 else min(1.0, dt / SCORE_TAU_S)
        ok, p = self._fitness(pose)
        ident.start += a * ((1.0 if ok else 0.0) - ident.start)
        ident.seen += a * ((1.0 if p == p else 0.0) - ident.seen)
        if p == p:
            ident.values.append((t, max(-0.5, min(1.5, p))))
        while ident.values and t - ident.values[0][0] > MOTION_WINDOW_S:
            ident.values.popleft()
        ident.last_t = t

    def choose(self, pose: PoseFrame, t: float) -> PoseFrame | None:
        """The exerciser's pose in this frame (None when only others are in view)."""
        candidates = [pose, *pose.others]
        self.switched = False
        taken: set[int] = set()
        here: list[tuple[_Identity, PoseFrame]] = []
        for c in candidates:
            ident = self._match(c, t, taken)
            taken.add(ident.id)
            self._update_scores(ident, c, t)
            here.append((ident, c))
        self._ids = [i for i in self._ids if t - i.last_t <= FORGET_S]
        if len(here) > 1:
            self._last_multi_t = t
        if self.current is None or all(i.id != self.current for i in self._ids):
            # First choice (or the chosen person is gone): the best scoring in view; the
            # estimator's order (largest body, or the one it followed) breaks ties.
            best = max(here, key=lambda h: h[0].score())
            if self.current is not None:
                self.switched = True
            self.current = best[0].id
        cur = next((h for h in here if h[0].id == self.current), None)
        cur_ident = next(i for i in self._ids if i.id == self.current)
        rivals = [h for h in here if h[0].id != self.current]
        best_rival = max(rivals, key=lambda h: h[0].score(), default=None)
        self.unsure = False
        if best_rival is not None:
            lead = best_rival[0].score() - cur_ident.score()
            self.unsure = cur is not None and abs(lead) < UNSURE_MARGIN
            if lead > SWITCH_MARGIN:
                r = best_rival[0]
                if r.lead_since != r.lead_since:
                    r.lead_since = t
                if t - r.lead_since >= SWITCH_S:
                    self.current = r.id
                    self.switched = True
                    for i in self._ids:
                        i.lead_since = math.nan
                    return best_rival[1]
            else:
                best_rival[0].lead_since = math.nan
        return None if cur is None else cur[1]
