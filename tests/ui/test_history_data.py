"""Qt-free history numbers: how sessions are named in the table."""

from __future__ import annotations

from coach.ui.history.data import routine_label


def test_built_in_sessions_are_named_as_the_app_names_them():
    names = {"program:clbp_starter": "Back pain starter (daily)", "mini_squat": "Mini-squat"}
    assert routine_label("program:clbp_starter", None, names) == "Back pain starter (daily)"
    assert routine_label("exercise:mini_squat", None, names) == "Mini-squat"
    # an id the catalogue no longer has is tidied, never shown raw
    assert routine_label("program:old_plan", None, names) == "Old plan"
    assert routine_label(None) == "Built-in routine"
