"""Strict, headless UI tests: offscreen Qt, settings and history in ``tmp_path``, and any modal
dialog is a failure (a dialog would hang a headless run, and a user should rarely meet one).

Tests that *expect* a file dialog replace the static method themselves with ``monkeypatch``
after this fixture has run.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from shiboken6 import isValid

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEvent  # noqa: E402
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox  # noqa: E402

_MESSAGE_BOXES = ("about", "aboutQt", "critical", "information", "question", "warning")
_FILE_DIALOGS = (
    "getOpenFileName",
    "getOpenFileNames",
    "getSaveFileName",
    "getExistingDirectory",
    "getOpenFileUrl",
    "getSaveFileUrl",
    "getExistingDirectoryUrl",
)
_INPUT_DIALOGS = ("getText", "getInt", "getDouble", "getItem", "getMultiLineText")


#: What the speech-engine probe (a child Python that starts QTextToSpeech) answered, per engine,
#: in this test process; only answers that found a working engine are kept.
_SPEECH_PROBES: dict[str, tuple[bool, str]] = {}


def _probe_speech_once(real: Callable[..., tuple[bool, str]]) -> Callable[..., tuple[bool, str]]:
    """``coach.ui.speech.probe_speech``, asked once per engine and test process: every window
    builds a Speaker, and each Speaker would otherwise start a child Python (about half a second
    of CPU) to ask the same question of the same machine."""

    def probe(engine: str = "", *args: object, **kwargs: object) -> tuple[bool, str]:
        if engine in _SPEECH_PROBES:
            return _SPEECH_PROBES[engine]
        answer = real(engine, *args, **kwargs)
        if answer[0]:
            _SPEECH_PROBES[engine] = answer
        return answer

    return probe


class ModalDialogOpened(AssertionError):
    """A test opened a modal dialog (which would block a headless run)."""


@pytest.fixture(autouse=True)
def strict_ui(tmp_path, monkeypatch):
    """Isolate settings and history; fail on any modal dialog; really delete closed windows.

    pytest-qt closes added widgets and calls ``deleteLater()``, but outside an event loop those
    deletions never run, so windows pile up and every later style change re-polishes all of them.
    """
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setenv("COACH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COACH_LOG_DIR", str(tmp_path / "logs"))
    # Qt's mock speech engine: the real QTextToSpeech code path, without an audio system.
    monkeypatch.setenv("COACH_TTS", "mock")
    from coach.ui import speech

    monkeypatch.setattr(speech, "probe_speech", _probe_speech_once(speech.probe_speech))

    def refuse(what: str):
        def modal(*_args, **_kwargs):
            raise ModalDialogOpened(f"a modal dialog was opened: {what}")

        return modal

    monkeypatch.setattr(QDialog, "exec", refuse("QDialog.exec"))
    monkeypatch.setattr(QMessageBox, "exec", refuse("QMessageBox.exec"))
    for name in _MESSAGE_BOXES:
        monkeypatch.setattr(QMessageBox, name, staticmethod(refuse(f"QMessageBox.{name}")))
    for name in _FILE_DIALOGS:
        monkeypatch.setattr(QFileDialog, name, staticmethod(refuse(f"QFileDialog.{name}")))
    for name in _INPUT_DIALOGS:
        monkeypatch.setattr(QInputDialog, name, staticmethod(refuse(f"QInputDialog.{name}")))
    yield tmp_path
    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def no_cameras(monkeypatch):
    """Pretend the computer has no camera (and never probe real devices)."""
    from coach.capture import sources

    monkeypatch.setattr(sources, "list_cameras", lambda *a, **k: [])


@pytest.fixture
def two_cameras(monkeypatch):
    """Pretend the computer has two cameras."""
    from coach.capture import sources

    monkeypatch.setattr(
        sources, "list_cameras", lambda *a, **k: [(0, "Built-in webcam"), (2, "USB camera")]
    )


@pytest.fixture
def window(qtbot, strict_ui, no_cameras):
    """The real main window, built as the app builds it, shown; closed after the test.

    Yields ``(window, ctx)``.
    """
    from coach.ui.app import build_window

    win, ctx = build_window(history_path=strict_ui / "data" / "history.sqlite3")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win, ctx
    if isValid(win):
        win.close()
    if ctx.history is not None:
        ctx.history.close()
