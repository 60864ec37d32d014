"""Small widgets of the history screen: cards and the next-morning question."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from coach.ui.history.data import (
    _local,
)

if TYPE_CHECKING:
    from coach.ui.history.page import HistoryPage

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Widgets


#: Labels and checkboxes inside a card take the card's colour, not the window's.
CARD_CHILDREN_CSS = "QLabel { background: transparent; }"


def _card() -> tuple[QFrame, QVBoxLayout]:
    f = QFrame()
    f.setProperty("role", "card")
    f.setStyleSheet(CARD_CHILDREN_CSS)
    lay = QVBoxLayout(f)
    lay.setContentsMargins(18, 14, 18, 14)
    return f, lay


class NextMorningCard(QFrame):
    """ "How is your back this morning?": pain 0–10, stiffness 0–10, pain down the leg, Save."""

    def __init__(self, page: HistoryPage, pending: Any) -> None:
        super().__init__()
        self.page = page
        self.pending = pending
        self.setProperty("role", "card")
        # the chosen pain score is filled with the accent: the "pain" role in the app's style
        # sheet, so it follows a theme switch
        self.setStyleSheet(CARD_CHILDREN_CSS)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(18, 14, 18, 14)
        when = _local(pending.ended_at)
        head = QLabel("Next-morning check: how is your back this morning?")
        head.setProperty("role", "subtitle")
        lay.addWidget(head)
        txt = QLabel(
            f"After yesterday's session (finished {when.strftime('%H:%M')}), rate your back pain now: "
            "0 is no pain, 10 is the worst imaginable. Your answer decides whether your exercises "
            "can step up next time."
        )
        txt.setWordWrap(True)
        lay.addWidget(txt)
        row = QHBoxLayout()
        row.addWidget(QLabel("Pain now:"))
        self.pain_group = QButtonGroup(self)
        self.pain_group.setExclusive(True)
        for v in range(11):
            b = QPushButton(str(v))
            b.setCheckable(True)
            b.setProperty("role", "pain")
            b.setAccessibleName(f"Pain {v} out of 10")
            self.pain_group.addButton(b, v)
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        row2 = QHBoxLayout()
        row2.addWidget(QLabel("Stiffness now (0–10):"))
        self.stiffness = QSpinBox()
        self.stiffness.setRange(0, 10)
        self.stiffness.setMinimumWidth(90)
        self.stiffness.setAccessibleName("Stiffness 0 to 10")
        row2.addWidget(self.stiffness)
        row2.addSpacing(24)
        self.spreading = QCheckBox("The pain spreads down my leg")
        row2.addWidget(self.spreading)
        row2.addStretch(1)
        self.save_btn = QPushButton("Save my answer")
        self.save_btn.setProperty("role", "primary")
        self.save_btn.setEnabled(False)
        self.save_btn.clicked.connect(self.save)
        row2.addWidget(self.save_btn)
        lay.addLayout(row2)
        self.pain_group.idClicked.connect(lambda _id: self.save_btn.setEnabled(True))
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.hide()
        lay.addWidget(self.result)

    def set_pain(self, value: int) -> None:
        """Select a pain value (keyboard users and tests)."""
        self.pain_group.button(value).setChecked(True)
        self.save_btn.setEnabled(True)

    def save(self) -> None:
        value = self.pain_group.checkedId()
        if value < 0:
            return
        hist = self.page.ctx.history
        if hist is None:  # the card is only shown with a history; never crash if it went away
            self.result.setText("Your answer could not be saved (your history is not available).")
            self.result.show()
            return
        try:
            hist.record_next_morning(
                self.pending.session_id,
                value,
                stiffness=self.stiffness.value(),
                spreading_down_leg=self.spreading.isChecked(),
            )
        # A database that went away (or any other failure to write): the card says so and the
        # page stays alive.
        except Exception as exc:  # noqa: BLE001
            log.warning("next-morning answer not saved: %s", exc)
            self.result.setText(f"Your answer could not be saved ({exc}).")
            self.result.show()
            return
        self.result.setText(explain_next_morning(hist, self.pending.session_id, self.page.routine))
        self.result.setProperty("role", "banner")
        self.result.show()
        for b in self.pain_group.buttons():
            b.setEnabled(False)
        self.save_btn.setEnabled(False)
        self.stiffness.setEnabled(False)
        self.spreading.setEnabled(False)
        self.page.answered_check = True
        self.page.refresh(keep_check=True)


def explain_next_morning(history: Any, session_id: str, routine: Any = None) -> str:
    """Plain words for the next-morning rule (DOMAIN §5.1) on a session's ratings."""
    from coach.store.progression import next_morning_ok

    rules = getattr(getattr(routine, "safety", None), "pain_rules", None)
    pains = history.pain_ratings(session_id)
    ok, why = next_morning_ok(pains, rules)
    morning = [p for p in pains if p.context == "next_morning"]
    spreading = bool(morning and morning[-1].spreading_down_leg)
    if ok:
        text = (
            f"Thank you, saved. {why.capitalize()}: that is within your plan, so your exercises may step up "
            "when your recent sessions have gone well."
        )
    else:
        text = (
            f"Thank you, saved. {why.capitalize()}. Your next session will be made easier — about a fifth "
            "less — and it is worth telling your physiotherapist. Rest and gentle walking are fine today."
        )
    if spreading:
        text += (
            " Pain spreading down the leg should be checked by your physiotherapist. If you notice numbness "
            "around the groin or buttocks, new bladder or bowel problems, or new leg weakness, seek "
            "emergency care now."
        )
    return text
