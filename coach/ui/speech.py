"""Spoken cues and sounds. If speech is unavailable the app says so once and carries on silently.

Cues never overlap: a new cue waits for the current one; a backlog is trimmed so what is spoken
is never stale (the engine already limits cues to one per 3 s).

Two voices:

* Qt's ``QTextToSpeech`` where it has a working engine (Windows, macOS; ``COACH_TTS=mock`` in
  tests). It is first started in a throw-away child process, because some back-ends block forever.
* **espeak-ng** on Linux (installed by ``scripts/setup.sh``), where Qt's speech-dispatcher
  back-end hangs on many machines: a worker thread renders each cue to a WAV file with
  ``espeak-ng -w`` (never on the GUI thread) and the GUI thread plays it with QtMultimedia. Renders
  are cached, so the counting cues ("1", "2", ...) are ready instantly after the first time.

``COACH_TTS``: "off", "mock" (Qt's mock engine), "espeak" (force espeak-ng), an engine name for
Qt, or empty for the platform's best choice.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import wave
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QObject, QTimer, QUrl, Signal

if TYPE_CHECKING:  # imported where used: either module may be missing from a Qt install
    from PySide6.QtMultimedia import QSoundEffect
    from PySide6.QtTextToSpeech import QTextToSpeech

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


#: espeak-ng's speaking rate for cues, words per minute (its default is 175): calm and clear.
ESPEAK_RATE_WPM = 150
ESPEAK_TIMEOUT_S = 10.0
#: A cue that has not reported its end this long after its own length is given up on.
WATCHDOG_SLACK_S = 2.0


def espeak_binary() -> str | None:
    """The espeak-ng (or espeak) program, if installed."""
    return shutil.which("espeak-ng") or shutil.which("espeak")


def render_cue_wav(
    text: str, path: Path, rate_wpm: int = ESPEAK_RATE_WPM, binary: str | None = None
) -> Path:
    """Render ``text`` to a WAV file with espeak-ng (blocking: call it off the GUI thread).

    Raises ``RuntimeError`` with a one-line reason when espeak-ng is missing or fails.
    """
    exe = binary or espeak_binary()
    if exe is None:
        raise RuntimeError("espeak-ng is not installed")
    try:
        # text on stdin, never as an option: a cue starting with "-" must not be read as one
        out = subprocess.run(
            [exe, "-s", str(int(rate_wpm)), "-w", str(path), "--stdin"],
            input=text,
            capture_output=True,
            text=True,
            timeout=ESPEAK_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError("espeak-ng did not finish in time") from None
    except OSError as exc:
        raise RuntimeError(f"espeak-ng could not run: {exc.strerror or exc}") from None
    if out.returncode != 0 or not path.exists() or path.stat().st_size <= 44:
        raise RuntimeError((out.stderr.strip().splitlines() or ["espeak-ng produced no sound"])[-1])
    return path


@dataclass(frozen=True)
class WavInfo:
    seconds: float
    rms: float  # 0..1 of full scale, over the whole file


def wav_info(path: Path) -> WavInfo:
    """Length and loudness of a 16-bit PCM WAV (what espeak-ng writes)."""
    import numpy as np

    with wave.open(str(path), "rb") as w:
        n, rate, width = w.getnframes(), w.getframerate(), w.getsampwidth()
        raw = w.readframes(n)
    if width != 2:
        raise ValueError(f"{path}: {8 * width}-bit audio, expected 16-bit")
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768.0
    rms = float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0
    return WavInfo(seconds=n / float(rate) if rate else 0.0, rms=rms)


class _EspeakWorker:
    """Renders cues to WAV files on its own thread; ``done(text, path_or_None, error)`` is called
    on that thread (the Speaker forwards it to the GUI thread with a queued signal)."""

    def __init__(self, folder: Path, done: Callable[[str, Path | None, str], None]) -> None:
        self.folder = folder
        self._done = done
        self._jobs: queue.Queue[str | None] = queue.Queue()
        self._cache: dict[str, Path] = {}
        self._thread = threading.Thread(target=self._run, name="coach-espeak", daemon=True)
        self._thread.start()

    def render(self, text: str) -> None:
        self._jobs.put(text)

    def close(self, timeout: float = ESPEAK_TIMEOUT_S + 1) -> None:
        self._jobs.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            text = self._jobs.get()
            if text is None:
                return
            path = self._cache.get(text)
            error = ""
            if path is None or not path.exists():
                path = self.folder / f"cue-{len(self._cache):05d}.wav"
                try:
                    render_cue_wav(text, path)
                    self._cache[text] = path
                except RuntimeError as exc:
                    path, error = None, str(exc)
            self._done(text, path, error)


def _engine_choice() -> str:
    """``COACH_TTS``: an engine name ("mock" in tests), "off", or empty for the system default."""
    return os.environ.get("COACH_TTS", "").strip()


def probe_speech(engine: str = "", timeout: float = PROBE_TIMEOUT_S) -> tuple[bool, str]:
    """Try to start a speech engine in a child process; (works, detail)."""
    try:
        out = subprocess.run(
            [sys.executable, "-c", _PROBE, engine],
            capture_output=True,
            text=True,
            timeout=timeout,
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
    _rendered = Signal(str, str, str)  # (text, wav path or "", error): worker thread -> GUI thread

    def __init__(
        self, parent: QObject | None = None, enabled: bool = True, sounds: bool = True
    ) -> None:
        super().__init__(parent)
        self.enabled = enabled
        self.sounds_enabled = sounds
        # None: not started yet; False: no engine on this computer
        self._tts: QTextToSpeech | Literal[False] | None = None
        self._queue: deque[str] = deque()
        self._said_unavailable = False
        self._effects: dict[str, QSoundEffect] = {}
        self.spoken: deque[str] = deque(maxlen=50)  # what was said (tests and the transcript line)
        self.voiced: deque[str] = deque(maxlen=50)  # what was actually sent to a voice
        self._choice = _engine_choice()
        self._probe: tuple[bool, str] | None = None
        self._espeak: _EspeakWorker | None = None
        self._espeak_dir: tempfile.TemporaryDirectory[str] | None = None
        self._player: QSoundEffect | None = None  # plays espeak-ng cues
        self._busy = False  # an espeak-ng cue is being rendered or played
        self._cue_serial = 0
        self._rendered.connect(self._on_rendered)
        if self._choice == "off":
            self._probe = (False, "spoken cues were turned off for this run")
        elif self._use_espeak():
            self._start_espeak()
        elif enabled:
            threading.Thread(target=self._run_probe, name="coach-tts-probe", daemon=True).start()

    @property
    def backend(self) -> str:
        """ "espeak-ng", "qt", "none", or "" while still finding out."""
        if self._espeak is not None:
            return "espeak-ng"
        if self._tts:
            return "qt"
        if self._tts is False or (self._probe is not None and not self._probe[0]):
            return "none"
        return ""

    def _use_espeak(self) -> bool:
        if self._choice == "espeak":
            return True
        # Qt's Linux back-end (speech-dispatcher) hangs on many machines; espeak-ng does not.
        return (
            self._choice == "" and sys.platform.startswith("linux") and espeak_binary() is not None
        )

    def _start_espeak(self) -> None:
        self._espeak_dir = tempfile.TemporaryDirectory(prefix="coach-cues-")
        self._espeak = _EspeakWorker(
            Path(self._espeak_dir.name),
            lambda text, path, err: self._rendered.emit(text, str(path or ""), err),
        )
        self._probe = (True, "espeak-ng")

    def _run_probe(self) -> None:
        # Runs a child process only: no Qt object is touched from this thread.
        probe = probe_speech(self._choice)
        if not probe[0] and self._choice == "" and espeak_binary() is not None:
            # no working Qt engine: espeak-ng is the voice (started on the GUI thread at the next cue)
            self._probe = (True, "espeak-ng")
            return
        self._probe = probe

    def _engine(self) -> QTextToSpeech | Literal[False] | None:
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
        except Exception as exc:  # noqa: BLE001 -- missing module, no engine, audio system
            # missing: whatever fails, the person is told cues are text only; the app goes on
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
        if self._espeak is None and self._probe == (True, "espeak-ng"):
            self._start_espeak()
        if self._espeak is not None:
            self._say_espeak(text)
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

    # -- espeak-ng --------------------------------------------------------------------------------

    def _say_espeak(self, text: str) -> None:
        if self._busy:
            self._queue.append(text)
            while len(self._queue) > MAX_BACKLOG:
                self._queue.popleft()
            return
        self._busy = True
        self.voiced.append(text)
        assert self._espeak is not None
        self._espeak.render(text)

    def _on_rendered(self, text: str, path: str, error: str) -> None:
        if not path:
            self._busy = False
            log.info("espeak-ng failed: %s", error)
            if not self._said_unavailable:
                self._said_unavailable = True
                self.unavailable.emit(
                    "Spoken cues are not available on this computer, so cues are shown as text only."
                )
            return
        try:
            from PySide6.QtMultimedia import QSoundEffect

            if self._player is None:
                self._player = QSoundEffect(self)
                self._player.setVolume(1.0)
                self._player.playingChanged.connect(self._on_playing_changed)
                self._player.statusChanged.connect(self._on_player_status)
            self._player.setSource(QUrl.fromLocalFile(path))
            self._player.play()
        except Exception:  # no audio device: the cue stays on screen
            log.debug("cue playback unavailable", exc_info=True)
            self._next_espeak()
            return
        # An audio system that never reports the end must not silence every later cue.
        try:
            length = wav_info(Path(path)).seconds
        except (OSError, ValueError, EOFError):
            length = 5.0
        self._cue_serial += 1
        serial = self._cue_serial
        QTimer.singleShot(
            int((length + WATCHDOG_SLACK_S) * 1000), self, lambda: self._watchdog(serial)
        )

    def _watchdog(self, serial: int) -> None:
        if self._busy and serial == self._cue_serial:
            log.info("a spoken cue did not report its end; going on with the next one")
            if self._player is not None:
                self._player.stop()
            self._next_espeak()

    def _on_playing_changed(self) -> None:
        if self._player is not None and not self._player.isPlaying():
            self._next_espeak()

    def _on_player_status(self) -> None:
        from PySide6.QtMultimedia import QSoundEffect

        if self._player is not None and self._player.status() == QSoundEffect.Status.Error:
            log.info("cue playback failed (no audio device?)")
            self._next_espeak()

    def _next_espeak(self) -> None:
        self._busy = False
        if self._queue:
            self._say_espeak(self._queue.popleft())

    def close(self) -> None:
        """Stop the espeak-ng worker and remove its files (at exit)."""
        self.stop()
        if self._player is not None:
            # Let go of the cue file before it is deleted: a player still loading it would
            # report a decoding error later, from wherever the event loop runs next.
            from PySide6.QtCore import QUrl

            self._player.setSource(QUrl())
            self._player.deleteLater()
            self._player = None
        if self._espeak is not None:
            self._espeak.close()
            self._espeak = None
        if self._espeak_dir is not None:
            self._espeak_dir.cleanup()
            self._espeak_dir = None

    def _on_state(self, state: QTextToSpeech.State) -> None:
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
            eff.play()
        except Exception:  # no audio device: silence is fine
            log.debug("sound unavailable", exc_info=True)

    def stop(self) -> None:
        self._queue.clear()
        if self._tts:
            self._tts.stop()
        if self._player is not None:
            self._player.stop()
