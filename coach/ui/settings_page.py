"""Settings: text size and contrast, voice and sounds, the camera picture, the camera, tracking
quality, the screening, and privacy. Every change is saved at once (there is no "Save" button to
forget), and the theme is re-applied immediately."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import cv2
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from coach.capture import sources
from coach.core.wording import PRIVACY
from coach.routines.today import LOCK_WORDS, SURGERY_TYPE, SURGERY_WHEN, post_op_rule
from coach.settings import Profile, Settings
from coach.ui.context import AppContext
from coach.ui.home import card
from coach.ui.screening_widgets import blocked_note
from coach.ui.widgets import ResponsiveGrid

log = logging.getLogger(__name__)

MODEL_CHOICES = (
    ("lite", "Lite: fastest, a little less accurate (for older or slower computers)"),
    ("full", "Full: recommended"),
    ("heavy", "Heavy: most accurate, needs a fast computer"),
)
RESOLUTION_CHOICES = (
    (0, "As captured: the most detail"),
    (960, "960 pixels: faster"),
    (640, "640 pixels: fastest"),
)
PRIVACY_NOTE = (
    PRIVACY + " Your session history (counts, pain ratings) "
    "is saved on this computer only; you decide whether to export it and who to give it to."
)


def surgery_words(s: Settings) -> str:
    """What the screening recorded about a back operation, and what follows from it."""
    when = dict(SURGERY_WHEN).get(s.surgery_when, "")
    if not when:
        return ""
    kind = dict(SURGERY_TYPE).get(s.surgery_type, "")
    text = f"Back operation: {when[0].lower() + when[1:]}" + (
        f" ({kind[0].lower() + kind[1:]})." if kind else "."
    )
    locked = post_op_rule(s.surgery_when, s.surgery_type).locked_tags
    if locked:
        words = [LOCK_WORDS[t] for t in LOCK_WORDS if t in locked]
        text += (
            " The built-in programs leave out exercises that involve "
            + (words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1])
            + " for now."
        )
    return text


class Toggle(QPushButton):
    """A large on/off button that says its state ("On" / "Off"), used instead of a small check box.
    A chosen one is filled with the theme's accent (the ``choice`` role in
    :func:`coach.ui.theme.stylesheet`), so its state reads from across the room.

    Same API as a check box: ``isChecked``, ``setChecked``, ``toggled``.
    """

    def __init__(
        self, name: str, checked: bool = False, on_text: str = "On", off_text: str = "Off"
    ) -> None:
        super().__init__()
        self._on, self._off = on_text, off_text
        self.setCheckable(True)
        self.setProperty("role", "choice")
        self.setAccessibleName(name)
        self.toggled.connect(self._relabel)
        self.setChecked(checked)
        self._relabel(checked)

    def _relabel(self, on: bool) -> None:
        self.setText(self._on if on else self._off)

    def sizeHint(self) -> QSize:  # noqa: N802
        """Wide enough for either label in the bold face of the chosen state, so choosing it
        never clips its text."""
        hint = super().sizeHint()
        bold = QFont(self.font())
        bold.setBold(True)
        fm = QFontMetrics(bold)
        need = max(fm.horizontalAdvance(t) for t in (self._on, self._off)) + 44  # padding + border
        return QSize(max(hint.width(), need), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()


def _label(text: str, role: str | None = None) -> QLabel:
    lab = QLabel(text)
    lab.setWordWrap(True)
    if role:
        lab.setProperty("role", role)
    return lab


def camera_choices() -> list[tuple[str, str]]:
    """(camera spec, label) for every camera found; empty when there is none."""
    try:
        found = sources.list_cameras()
    except (OSError, cv2.error) as exc:  # probing hardware must never break the settings screen
        log.warning("camera probe failed: %s", exc)
        return []
    return [(str(idx), f"Camera {idx}: {label}") for idx, label in found]


def set_profile_camera(ctx: AppContext, camera: str, name: str | None = None) -> None:
    """Store ``camera`` (and optionally a new name) on the active set-up profile, validated."""
    s = ctx.settings
    current = s.profile()
    data = current.model_dump()
    data["camera"] = camera
    if name is not None:
        data["name"] = name
    updated = Profile.model_validate(data)
    profiles = list(s.profiles) or [current]
    replaced = False
    for i, p in enumerate(profiles):
        if p.name == current.name:
            profiles[i] = updated
            replaced = True
            break
    if not replaced:
        profiles.append(updated)
    s.profiles = profiles
    s.active_profile = updated.name


class SettingsPage(QWidget):
    """Everything the user can change, in plain words, saved as soon as it changes."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )  # reflow, never sideways
        inner = QWidget()
        lay = QVBoxLayout(inner)
        lay.setSpacing(16)
        lay.setContentsMargins(4, 4, 12, 4)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        title = _label("Settings", "title")
        lay.addWidget(title)
        lay.addWidget(_label("Changes are saved straight away.", "muted"))
        # two columns of cards where they fit, one where they do not (large text, small screens)
        grid = ResponsiveGrid(min_column=520, spacing=16, max_columns=2)
        lay.addWidget(grid)

        grid.add(self._reading_card())
        grid.add(self._sound_card())
        grid.add(self._picture_card())
        grid.add(self._camera_card())
        grid.add(self._tracking_card())
        grid.add(self._screening_card())
        lay.addWidget(self._privacy_card())  # the privacy card spans the page
        lay.addStretch(1)

    def _reading_card(self) -> QFrame:
        """Reading the screen: large text, high contrast."""
        s = self.ctx.settings
        c, cl = card()
        cl.addWidget(_label("Reading the screen", "heading"))
        self.large_text = self._check(cl, "Large text", s.large_text, self._set_large_text)
        self.high_contrast = self._check(
            cl, "High contrast colours (white on black)", s.high_contrast, self._set_high_contrast
        )
        cl.addStretch(1)
        return c

    def _sound_card(self) -> QFrame:
        """Voice and sounds, with a button to hear the voice."""
        s = self.ctx.settings
        c, cl = card()
        cl.addWidget(_label("Voice and sounds", "heading"))
        self.voice = self._check(
            cl, "Spoken cues: coach says the instructions out loud", s.voice, self._set_voice
        )
        self.sounds = self._check(
            cl, "Sounds: a soft tone for each repetition", s.sounds, self._set_sounds
        )
        row = QHBoxLayout()
        self.sample_btn = QPushButton("Hear the voice")
        self.sample_btn.setToolTip("coach says a short sentence, as it would during a session")
        self.sample_btn.clicked.connect(self.say_sample)
        row.addWidget(self.sample_btn)
        row.addStretch(1)
        cl.addLayout(row)
        cl.addStretch(1)
        return c

    def _picture_card(self) -> QFrame:
        """The picture during a session: stick figure only, mirror, performance figures."""
        s = self.ctx.settings
        c, cl = card()
        cl.addWidget(_label("The picture during a session", "heading"))
        self.skeleton_only = self._check(
            cl,
            "Show only the stick figure, not the video",
            s.skeleton_only,
            lambda on: self._set("skeleton_only", on),
        )
        self.mirror = self._check(
            cl, "Mirror the picture, like a mirror", s.mirror, lambda on: self._set("mirror", on)
        )
        self.show_performance = self._check(
            cl,
            "Show performance figures under the video (frames per second, delay)",
            s.show_performance,
            lambda on: self._set("show_performance", on),
        )
        cl.addWidget(
            _label(
                "Mirroring only changes what you see; coach still knows your left from your right.",
                "muted",
            )
        )
        cl.addStretch(1)
        return c

    def _camera_card(self) -> QFrame:
        """The camera of the active set-up profile."""
        s = self.ctx.settings
        c, cl = card()
        cl.addWidget(_label("Camera", "heading"))
        cl.addWidget(_label(f'For your set-up "{s.profile().name}".', "muted"))
        self.camera = QComboBox()
        self.camera.setAccessibleName("Camera")
        self.camera_note = _label("", "muted")
        self._fill_cameras()
        self.camera.currentIndexChanged.connect(self._set_camera)
        cl.addWidget(self.camera)
        cl.addWidget(self.camera_note)
        cl.addStretch(1)
        return c

    def _tracking_card(self) -> QFrame:
        """Tracking: the body-tracking model and the picture size it gets."""
        s = self.ctx.settings
        c, cl = card()
        cl.addWidget(_label("Tracking", "heading"))
        cl.addWidget(_label("Body-tracking model", "muted"))
        self.model = QComboBox()
        self.model.setAccessibleName("Body-tracking model")
        for variant, text in MODEL_CHOICES:
            self.model.addItem(text, variant)
        self.model.setCurrentIndex(max(0, self.model.findData(s.model_variant)))
        self.model.currentIndexChanged.connect(
            lambda _i: self._set("model_variant", self.model.currentData())
        )
        cl.addWidget(self.model)
        cl.addWidget(_label("Picture size for tracking", "muted"))
        self.resolution = QComboBox()
        self.resolution.setAccessibleName("Picture size for tracking")
        for side, text in RESOLUTION_CHOICES:
            self.resolution.addItem(text, side)
        if self.resolution.findData(s.processing_max_side) < 0:
            self.resolution.addItem(f"{s.processing_max_side} pixels", s.processing_max_side)
        self.resolution.setCurrentIndex(self.resolution.findData(s.processing_max_side))
        self.resolution.currentIndexChanged.connect(
            lambda _i: self._set("processing_max_side", int(self.resolution.currentData()))
        )
        cl.addWidget(self.resolution)
        cl.addWidget(
            _label(
                "Smaller and lighter settings keep coach smooth on a slower computer. "
                "Changes apply from the next session.",
                "muted",
            )
        )
        cl.addStretch(1)
        return c

    def _screening_card(self) -> QFrame:
        """Health screening: its state, a surgery note, and a button to run it again."""
        s = self.ctx.settings
        c, cl = card()
        cl.addWidget(_label("Health screening", "heading"))
        self.screening_status = _label(self._screening_text())
        cl.addWidget(self.screening_status)
        note = blocked_note(s)  # the stop style; the window's banner steps aside for it
        if note is not None:
            cl.addWidget(note)
        self.surgery_note = _label(surgery_words(s), "muted")
        self.surgery_note.setVisible(bool(self.surgery_note.text()))
        cl.addWidget(self.surgery_note)
        self.rerun = QPushButton(
            "Run the health screening again"
            if s.screening_done_at is not None
            else "Run the health screening"
        )
        self.rerun.clicked.connect(self.ctx.nav.open_onboarding)
        cl.addWidget(self.rerun)
        cl.addStretch(1)
        return c

    def _privacy_card(self) -> QFrame:
        """Privacy: what stays on this computer, and a link to the safety page."""
        c, cl = card()
        cl.addWidget(_label("Privacy", "heading"))
        self.privacy_note = _label(PRIVACY_NOTE)
        cl.addWidget(self.privacy_note)
        row = QHBoxLayout()
        about = QPushButton("About coach, safety and privacy")
        about.clicked.connect(lambda: self.ctx.nav.open_learn("safety"))
        row.addWidget(about)
        row.addStretch(1)
        cl.addLayout(row)
        cl.addStretch(1)
        return c

    # -- helpers ---------------------------------------------------------------------------------

    def _check(
        self, lay: QVBoxLayout, text: str, value: bool, slot: Callable[[bool], None]
    ) -> Toggle:
        row = QHBoxLayout()
        row.addWidget(_label(text), 1)
        box = Toggle(text, value)
        box.toggled.connect(slot)
        row.addWidget(box)
        lay.addLayout(row)
        return box

    def _set(self, name: str, value: object) -> None:
        setattr(self.ctx.settings, name, value)
        self.ctx.save()

    def _set_large_text(self, on: bool) -> None:
        self._set("large_text", on)
        self.ctx.nav.apply_theme()

    def _set_high_contrast(self, on: bool) -> None:
        self._set("high_contrast", on)
        self.ctx.nav.apply_theme()

    SAMPLE = "Hello. This is how coach will talk you through your exercises."

    def say_sample(self) -> None:
        sp = self.ctx.speaker
        if sp is None:
            return
        if not self.voice.isChecked():
            self.voice.setChecked(True)  # hearing it means wanting it
        sp.say(self.SAMPLE)

    def _set_voice(self, on: bool) -> None:
        self._set("voice", on)
        if self.ctx.speaker is not None:
            self.ctx.speaker.enabled = on

    def _set_sounds(self, on: bool) -> None:
        self._set("sounds", on)
        if self.ctx.speaker is not None:
            self.ctx.speaker.sounds_enabled = on

    def _fill_cameras(self) -> None:
        current = self.ctx.settings.profile().camera
        cams = camera_choices()
        self.camera.blockSignals(True)
        self.camera.clear()
        for spec, text in cams:
            self.camera.addItem(text, spec)
        if not cams:
            self.camera.addItem(f"Camera {current} (not found now)", current)
            self.camera.setEnabled(False)
            self.camera_note.setText(
                "No camera was found. You can still use coach with a recorded video "
                '("Use a video file…" on the home screen), or do the breathing exercise.'
            )
        elif self.camera.findData(current) < 0:
            self.camera.addItem(f"Camera {current} (not found now)", current)
        self.camera.setCurrentIndex(max(0, self.camera.findData(current)))
        self.camera.blockSignals(False)

    def _set_camera(self, _index: int) -> None:
        spec = self.camera.currentData()
        if spec is None:
            return
        set_profile_camera(self.ctx, str(spec))
        # a camera chosen here replaces a video file chosen earlier on the home screen
        self.ctx.source = None
        self.ctx.save()

    def _screening_text(self) -> str:
        s = self.ctx.settings
        if s.screening_done_at is None:
            return "You have not done the first-run screening yet."
        when = dt.datetime.fromtimestamp(s.screening_done_at).strftime("%d %B %Y")
        if s.screening_blocked:
            return f"Done on {when}. Sessions are paused because of your answers."
        if s.parq_flagged:
            return (
                f'Done on {when}. You answered "yes" to a health question: please check with your '
                "doctor before starting, if you have not already."
            )
        return f"Done on {when}. Nothing in your answers needed a doctor first."

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802
        w = self.focusWidget()
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and isinstance(w, QAbstractButton):
            w.click()
            return
        super().keyPressEvent(e)
