"""The engine's tunables: every time, distance and ratio the scoring engine decides by.

Numbers only, in seconds, fractions of the prescribed range or of the body's size in the picture
(never pixels); where a number comes from DOMAIN, its section is named beside it. The per-exercise
numbers (zones, hysteresis, dwell, fault thresholds) live in the exercise definitions, not here.
"""

from __future__ import annotations

NOT_VISIBLE_AFTER_S = 0.25  # DOMAIN §1.5: hold the last valid value <= 0.25 s
HOLD_ENTER_S = 0.3
HOLD_EXIT_S = 0.5  # DOMAIN §1.7: out of position > 0.5 s (while seen) ends the hold
MIN_HOLD_S = 1.0  # shorter holds are not reported
CUE_GAP_S = 3.0  # DOMAIN §1.7: at most one spoken cue per 3 s
SAME_CUE_GAP_S = 10.0  # the same cue is not repeated sooner
FAULT_RELEASE_S = 0.3
#: The body's size in the picture may drift slowly (the person moves); a sudden change beyond
#: this factor means the camera view changed (a cut, a close-up, the camera was moved), and
#: nothing is counted until the view matches the one the set started with.
VIEW_SCALE_LIMIT = 1.6
SETTLE_TAU_S = 0.2
#: For this long after a jump to another body, a gap is never bridged (it may be someone else).
JUMP_MEMORY_S = 5.0
#: A stream whose first frames (this long) show the worked position began at the bottom of a rep.
FROM_WORK_WINDOW_S = 0.5
#: In a close-up (the body much larger than when the set started) the model puts joints that are
#: out of the picture on its edge: there a joint counts only this far inside (fraction of the size).
CLOSE_UP_EDGE = 0.03
#: A stream that ends while a rep is on its way back counts that rep once it is at least this far
#: back (progress from rest): "most of the way down" (a recording cut in the last quarter of the
#: return), not a movement that merely turned around.
END_RETURN_P = 0.25
#: A rep still held in the worked position when the stream ends counts once it was held this long
#: (or the prescribed hold, if longer).
END_HOLD_S = 2.0
#: The fault a rep gets when it counted within the person's own range, short of the prescribed one.
SMALL_RANGE = "small_range"
#: A gap between frames longer than this (the machine slept, the camera stalled) is time the
#: engine did not see: it never counts toward a hold and is reported as not visible.
MAX_FRAME_GAP_S = 1.0

#: The trunk's direction in the picture turning by more than this within SHAPE_JUMP_S while a
#: hold is held is no movement of a person holding still (the model's own smoothing spreads a cut
#: over a few frames): the scene changed (a cut to another demonstrator,
#: another angle). A hold ends there; the next one starts once the person is still in position.
SHAPE_JUMP_DEG = 15.0
SHAPE_JUMP_S = 0.2

#: A body centre that moves more than this many trunk lengths between two frames less than
#: 0.2 s apart is not the same person moving: it is someone else, or a camera cut.
JUMP_LIMIT = 1.0
