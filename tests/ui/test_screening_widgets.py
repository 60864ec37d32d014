"""The choice buttons of the safety questions: a chosen one is drawn bold and must not clip its
label (it was sized for the regular face: "lore than a year ag")."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication

from coach.ui.screening_widgets import ChoiceButtons
from coach.ui.theme import stylesheet


def test_a_chosen_choice_is_wide_enough_for_its_bold_label(qtbot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setStyleSheet(stylesheet())
    try:
        labels = ["More than a year ago", "Removing part of a disc (discectomy or microdiscectomy)"]
        choices = ChoiceButtons(list(enumerate(labels)), "When was your operation?", flow=True)
        qtbot.addWidget(choices)
        for b in choices.buttons:
            bold = QFont(b.font())
            bold.setBold(True)
            need = QFontMetrics(bold).horizontalAdvance(b.text()) + 2 * 18  # the side padding
            assert b.sizeHint().width() >= need, b.text()
            assert b.minimumSizeHint().width() >= need, b.text()
    finally:
        app.setStyleSheet("")
