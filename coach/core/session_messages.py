"""What the guided session says on a frame: plain functions of the engine's status (and the
breathing exercise's rhythm).

:class:`coach.core.session.SessionRunner` shows the returned line (and keeps its last one when a
function returns None: nothing new to say on this frame).
"""

from __future__ import annotations

from typing import Any

from coach.core.engine import EngineStatus, State

READY_HOLD = "Ready. Move into the position and hold."
READY = "Ready. Begin."
VIEW_CHANGED = "The camera view changed. Go back to where you started."
NOT_SEEN = "I can't see you. Move back into the picture."
PART_HIDDEN = "Part of you is hidden from the camera. Keep the whole movement in the picture."
GOOD = "Good."
PARTIAL = "That one was not a full repetition. Go a little further if it is comfortable."
HOLD = "Hold..."
SEVERAL_PEOPLE = (
    "I can see more than one person. Start the exercise and I will follow you, "
    "or ask the others to step out of the picture."
)
FOLLOWING = "Following the person doing the exercise."


def frame_message(
    st: EngineStatus, *, hold: bool, view_changed: bool, someone_there: bool
) -> str | None:
    """The line for this frame's engine event or state (None: keep the last one).

    ``hold``: the exercise is a hold; ``view_changed``: the engine saw the camera move;
    ``someone_there``: the model found a person (whose counting joints may still be hidden).
    """
    if st.event == "ready":
        return READY_HOLD if hold else READY
    if st.state is State.NOT_VISIBLE:
        if view_changed:
            return VIEW_CHANGED
        return PART_HIDDEN if someone_there else NOT_SEEN
    if st.event == "rep":
        return GOOD if not st.active_faults else None
    if st.event == "partial":
        return PARTIAL
    if st.event == "hold_start":
        return HOLD
    return None


def people_message(st: EngineStatus, was_unsure: bool) -> str | None:
    """When several people are in view: say the engine cannot yet tell who exercises, then
    that it follows the one doing the exercise, and clear the line when the others leave.
    None when nothing changed (``was_unsure``: what the last frame said)."""
    if st.person_unsure == was_unsure:
        return None
    if st.person_unsure:
        return SEVERAL_PEOPLE
    if st.event is not None:
        return None
    return FOLLOWING if st.people > 1 else ""


def breath_text(exercise: Any, elapsed: float) -> str:
    """The breathing exercise's line ``elapsed`` seconds into its rhythm (inhale, hold, exhale,
    hold) when the exercise defines one (``exercise.breathing``), else a plain reminder."""
    b = getattr(exercise, "breathing", None)
    if b is None:
        return "Breathe slowly."
    cycle = b.inhale_s + b.hold_in_s + b.exhale_s + b.hold_out_s
    x = elapsed % cycle
    if x < b.inhale_s:
        return "Breathe in slowly through your nose..."
    if x < b.inhale_s + b.hold_in_s:
        return "Hold gently..."
    if x < b.inhale_s + b.hold_in_s + b.exhale_s:
        return "And breathe out slowly..."
    return "Rest..."
