"""The routine editor (for therapists): the page (:mod:`.page`: layout, checking, preview, saving)
with its Exercises tab (:mod:`.items`) and form tabs (:mod:`.forms`) as bases, and small widgets
(:mod:`.widgets`). The Qt-free editing of the routine's plain data is in
:mod:`coach.routines.draft` and :mod:`coach.routines.yaml_edit`.
"""

from coach.routines.yaml_edit import render_routine_yaml
from coach.ui.routine_editor.page import RoutineEditorPage
from coach.ui.routine_editor.widgets import OptionalDate

__all__ = ["OptionalDate", "RoutineEditorPage", "render_routine_yaml"]
