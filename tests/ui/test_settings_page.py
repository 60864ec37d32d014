"""Settings: every change is saved to the settings file at once; the theme follows."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QApplication

from coach.settings import settings_path
from coach.ui.onboarding import OnboardingPage
from coach.ui.settings_page import SettingsPage


def saved() -> dict:
    return json.loads(settings_path().read_text(encoding="utf-8"))


@pytest.fixture
def page(window) -> SettingsPage:
    win, _ctx = window
    win.open_settings()
    p = win.current_page()
    assert isinstance(p, SettingsPage)
    return p


@pytest.mark.parametrize(
    ("toggle", "field"),
    [
        ("large_text", "large_text"),
        ("high_contrast", "high_contrast"),
        ("voice", "voice"),
        ("sounds", "sounds"),
        ("skeleton_only", "skeleton_only"),
        ("mirror", "mirror"),
    ],
)
def test_toggles_persist_to_the_settings_file(qtbot, window, page, toggle: str, field: str) -> None:
    _win, ctx = window
    button = getattr(page, toggle)
    before = getattr(ctx.settings, field)
    assert button.isChecked() == before
    assert button.text() == ("On" if before else "Off")
    button.click()
    assert getattr(ctx.settings, field) is (not before)
    assert saved()[field] is (not before)
    assert button.text() == ("Off" if before else "On")
    button.click()
    assert saved()[field] is before


def test_text_size_and_contrast_apply_at_once(qtbot, page) -> None:
    app = QApplication.instance()
    assert "font-size: 15px" in app.styleSheet()
    page.large_text.click()
    assert "font-size: 21px" in app.styleSheet()  # large text is 1.4x (at least 1.3x asked)
    page.high_contrast.click()
    assert "#000000" in app.styleSheet()


def test_voice_and_sounds_reach_the_speaker(qtbot, window, page) -> None:
    _win, ctx = window
    page.voice.click()
    assert ctx.speaker.enabled is ctx.settings.voice is False
    page.sounds.click()
    assert ctx.speaker.sounds_enabled is ctx.settings.sounds is False


def test_model_and_resolution_persist(qtbot, page) -> None:
    page.model.setCurrentIndex(page.model.findData("heavy"))
    page.resolution.setCurrentIndex(page.resolution.findData(640))
    on_disk = saved()
    assert on_disk["model_variant"] == "heavy" and on_disk["processing_max_side"] == 640
    page.resolution.setCurrentIndex(page.resolution.findData(0))
    assert saved()["processing_max_side"] == 0


def test_no_camera_is_said_plainly(qtbot, page) -> None:
    assert not page.camera.isEnabled()
    assert "No camera was found" in page.camera_note.text()
    assert "video" in page.camera_note.text()


def test_camera_choice_persists_to_the_active_profile(qtbot, window, two_cameras) -> None:
    win, ctx = window
    ctx.source = "/some/video.mp4"
    win.open_settings()
    page = win.current_page()
    assert page.camera.isEnabled() and page.camera.count() == 2
    page.camera.setCurrentIndex(1)
    assert ctx.settings.profile().camera == "2"
    assert ctx.source is None  # the camera now wins over the earlier video file
    assert saved()["profiles"][0]["camera"] == "2"


def test_privacy_note_and_screening_rerun(qtbot, window, page) -> None:
    win, _ctx = window
    assert page.privacy_note.isVisible()
    from coach.core.wording import PRIVACY

    assert page.privacy_note.text().startswith(PRIVACY)
    page.rerun.click()
    assert isinstance(win.current_page(), OnboardingPage)


def test_a_broken_settings_file_is_replaced_and_reported(qtbot, strict_ui, no_cameras) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{ not json", encoding="utf-8")
    from coach.ui.app import build_window

    win, ctx = build_window(history_path=strict_ui / "data" / "h.sqlite3")
    qtbot.addWidget(win)
    assert any("could not be read" in w for w in ctx.warnings)
    win.open_settings()
    win.current_page().large_text.click()
    assert saved()["large_text"] is True
    if ctx.history is not None:
        ctx.history.close()


def test_hear_the_voice_says_a_sample_and_turns_the_voice_on(qtbot, window, page) -> None:
    _win, ctx = window
    page.voice.setChecked(False)
    page.sample_btn.click()
    assert page.voice.isChecked() and ctx.settings.voice
    assert list(ctx.speaker.spoken)[-1] == page.SAMPLE


def test_screening_card_says_what_follows_from_a_back_operation(qtbot, window) -> None:
    win, ctx = window
    ctx.settings.surgery_when, ctx.settings.surgery_type = "6_weeks_to_3_months", "fusion"
    win.open_settings()
    note = win.current_page().surgery_note
    assert note.isVisible()
    assert note.text().startswith("Back operation: 6 weeks to 3 months ago (joining bones together")
    assert (
        "leave out exercises that involve bending forward, twisting, arching your back or lifting"
        in note.text()
    )
    win.home()
    ctx.settings.surgery_when = ""
    win.open_settings()
    assert not win.current_page().surgery_note.isVisible()
