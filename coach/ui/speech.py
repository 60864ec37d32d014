"""Spoken cues and sounds. If speech is unavailable the app says so once and carries on silently.

Cues never overlap: a new cue waits for the current one; a backlog is trimmed so what is spoken
is never stale (the engine already limits cues to one per 3 s).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal

log = logging.getLogger(__name__)

SOUNDS = Path(__file__).resolve().parents[2] / "assets" / "sounds"
MAX_BACKLOG = 2
PROBE_TIMEOUT_S = 6.0

# Some speech back-ends (speech-dispatcher without a working audio system) block forever when the
# engine is created. So the engine is first created in a throw-away child process with a time-out;
# only if that works is it created in the app.
_PROBE = (
    "import sys\n"
    "from PySide6.QtCore import QCoreApplication\n"
    "app = QCoreApplication(sys.argv)\n"
    "from PySide6.QtTextToSpeech import QTextToSpeech\n"
    "e = sys.argv[1] or None\n"
    "t = QTextToSpeech(e) if e else QTextToSpeech()\n"
    "print('STATE', t.state().name, t.engine())\n"
)


def _engine_choice() -> str:
    """``COACH_TTS``: an engine name ("mock" in tests), "off", or empty for the system default."""
    return os.environ.get("COACH_TTS", "").strip()


def probe_speech(engine: str = "", timeout: float = PROBE_TIMEOUT_S) -> tuple[bool, str]:
    """Try to start a speech engine in a child process; (works, detail)."""
    try:
        out = subprocess.run(
            [sys.executable, "-c", _PROBE, engine],
            capture_output=True, text=True, timeout=timeout,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
    except subprocess.TimeoutExpired:
        return False, "the speech engine did not start (it timed out)"
    except OSError as exc:
        return False, str(exc)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("STATE")), "")
    if not line:
        return False, (out.stderr.strip().splitlines() or ["no speech engine"])[-1]
    state = line.split()[1]
    return state in ("Ready", "Speaking"), line


class Speaker(QObject):
    unavailable = Signal(str)  # emitted once, with a calm explanation

    def __init__(self, parent: QObject | None = None, enabled: bool = True, sounds: bool = True) -> None:
        super().__init__(parent)
        self.enabled = enabled
        self.sounds_enabled = sounds
        self._tts = None
        self._queue: deque[str] = deque()
        self._said_unavailable = False
        self._effects: dict[str, object] = {}
        self.spoken: deque[str] = deque(maxlen=50)  # what was said (tests and the transcript line)
        self._choice = _engine_choice()
        self._probe: tuple[bool, str] | None = None
        if self._choice == "off":
            self._probe = (False, "spoken cues were turned off for this run")
        elif enabled:
            threading.Thread(target=self._run_probe, name="coach-tts-probe", daemon=True).start()

    def _run_probe(self) -> None:
        # Runs a child process only: no Qt object is touched from this thread.
        self._probe = probe_speech(self._choice)

    def _engine(self):  # noqa: ANN202
        if self._tts is not None:
            return self._tts
        if self._probe is None:
            return None  # still finding out; this cue is shown as text only
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech

            ok, detail = self._probe
            if not ok:
                raise RuntimeError(detail)
            tts = QTextToSpeech(self._choice, self) if self._choice else QTextToSpeech(self)
            if tts.state() == QTextToSpeech.State.Error:
                raise RuntimeError(tts.errorString() or "the speech engine failed to start")
            tts.stateChanged.connect(self._on_state)
            self._tts = tts
        except Exception as exc:  # missing module, no engine, audio system missing
            self._tts = False
            if not self._said_unavailable:
                self._said_unavailable = True
                log.info("speech unavailable: %s", exc)
                self.unavailable.emit(
                    "Spoken cues are not available on this computer, so cues are shown as text only."
                )
        return self._tts

    def say(self, text: str) -> None:
        self.spoken.append(text)
        if not self.enabled or not text:
            return
        tts = self._engine()
        if not tts:
            return
        from PySide6.QtTextToSpeech import QTextToSpeech

        if tts.state() == QTextToSpeech.State.Speaking:
            self._queue.append(text)
            while len(self._queue) > MAX_BACKLOG:
                self._queue.popleft()
            return
        tts.say(text)

    def _on_state(self, state) -> None:  # noqa: ANN001
        from PySide6.QtTextToSpeech import QTextToSpeech

        if state == QTextToSpeech.State.Ready and self._queue and self._tts:
            self._tts.say(self._queue.popleft())

    def play(self, name: str) -> None:
        if not self.sounds_enabled:
            return
        path = SOUNDS / f"{name}.wav"
        if not path.exists():
            return
        try:
            from PySide6.QtMultimedia import QSoundEffect

            eff = self._effects.get(name)
            if eff is None:
                eff = QSoundEffect(self)
                eff.setSource(QUrl.fromLocalFile(str(path)))
                eff.setVolume(0.6)
                self._effects[name] = eff
            eff.play()  # type: ignore[attr-defined]
        except Exception:  # no audio device: silence is fine
            log.debug("sound unavailable", exc_info=True)

    def stop(self) -> None:
        self._queue.clear()
        if self._tts:
            self._tts.stop()
