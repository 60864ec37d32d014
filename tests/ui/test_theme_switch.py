"""Switching between the normal and the high-contrast theme recolours every screen at once: the
accent of chosen buttons too, not only after a restart."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from coach.ui.theme import CALM, HIGH_CONTRAST


def _fill(button: QPushButton) -> str:
    """The colour a button is filled with (sampled inside its border, beside its text)."""
    img = button.grab().toImage()
    return img.pixelColor(10, img.height() // 2).name()


def test_the_accent_follows_the_theme_at_once(window, qtbot) -> None:
    win, _ctx = window
    win.open_history()
    history = win.current_page()
    chosen_chart = history.chart_buttons.checkedButton()
    assert chosen_chart is not None
    assert _fill(chosen_chart) == CALM.accent

    win.open_settings()
    page = win.current_page()
    toggle = page.high_contrast
    assert _fill(toggle) != CALM.accent  # "Off": not filled
    toggle.click()  # high contrast on
    assert toggle.isChecked()
    assert _fill(toggle) == HIGH_CONTRAST.accent  # the page itself, straight away
    mirror = page.findChildren(QPushButton)
    on = [b for b in mirror if b.property("role") == "choice" and b.isChecked()]
    assert on and all(_fill(b) == HIGH_CONTRAST.accent for b in on)

    win.back()  # the page opened before the switch
    assert win.current_page() is history
    assert _fill(history.chart_buttons.checkedButton()) == HIGH_CONTRAST.accent

    win.open_settings()
    win.current_page().high_contrast.click()  # and back to normal
    assert _fill(win.current_page().high_contrast) != HIGH_CONTRAST.accent
    on = [
        b
        for b in win.current_page().findChildren(QPushButton)
        if b.property("role") == "choice" and b.isChecked()
    ]
    assert on and all(_fill(b) == CALM.accent for b in on)


def test_onboarding_answers_use_the_current_accent(window) -> None:
    win, ctx = window
    win.open_settings()
    win.current_page().high_contrast.click()
    win.open_onboarding()
    page = win.current_page()
    page.ack.setChecked(True)
    page.next()
    row = next(iter(page.rows.values()))
    row.no.click()
    assert _fill(row.no) == HIGH_CONTRAST.accent
    win.open_settings()
    win.current_page().high_contrast.click()  # normal again, with the onboarding still open
    win.back()
    assert _fill(row.no) == CALM.accent


def test_the_routine_editor_recolours_on_return(window) -> None:
    from coach.ui.routine_editor import RoutineEditorPage

    win, _ctx = window
    win.open_routine_editor()
    editor = win.current_page()
    assert isinstance(editor, RoutineEditorPage)
    assert editor.problem_list.item(0).foreground().color().name() == CALM.bad
    win.open_settings()
    win.current_page().high_contrast.click()
    win.back()
    assert win.current_page() is editor
    assert editor.problem_list.item(0).foreground().color().name() == HIGH_CONTRAST.bad
