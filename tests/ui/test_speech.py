"""Cues are spoken on Linux through espeak-ng: rendered to a WAV off the GUI thread and played
with QtMultimedia, one at a time, with a trimmed backlog."""

from __future__ import annotations

import pytest

from coach.ui.speech import (
    ESPEAK_RATE_WPM,
    MAX_BACKLOG,
    Speaker,
    espeak_binary,
    render_cue_wav,
    wav_info,
)

needs_espeak = pytest.mark.skipif(
    espeak_binary() is None, reason="espeak-ng is not installed (scripts/setup.sh installs it)"
)

# Playback on a machine with no audio server logs these; the cue is still rendered and queued.
pytestmark = pytest.mark.qt_log_ignore("QSoundEffect", "PulseAudio", "pipewire", "va")


def expected_seconds(sentence: str) -> float:
    return len(sentence.split()) / (ESPEAK_RATE_WPM / 60.0)


@needs_espeak
@pytest.mark.parametrize(
    "sentence",
    [
        "Keep your back straight and lower slowly.",
        "Well done. Rest for thirty seconds, then we start the next set of bridges.",
    ],
)
def test_a_rendered_cue_is_audible_and_as_long_as_the_sentence(tmp_path, sentence) -> None:
    info = wav_info(render_cue_wav(sentence, tmp_path / "cue.wav"))
    assert info.rms > 0.02, info  # not silence
    exp = expected_seconds(sentence)
    assert 0.6 * exp <= info.seconds <= 1.6 * exp + 0.6, (info.seconds, exp)


@needs_espeak
def test_longer_cues_take_longer(tmp_path) -> None:
    short = wav_info(render_cue_wav("Three.", tmp_path / "a.wav")).seconds
    long = wav_info(
        render_cue_wav("Breathe out slowly and let your shoulders drop.", tmp_path / "b.wav")
    ).seconds
    assert long > 2 * short


def test_a_missing_program_is_one_clear_error(tmp_path) -> None:
    with pytest.raises(RuntimeError, match="could not run|not installed"):
        render_cue_wav("Hello", tmp_path / "x.wav", binary=str(tmp_path / "no-such-espeak"))


@needs_espeak
def test_speaker_uses_espeak_off_the_gui_thread_and_trims_the_backlog(qtbot, monkeypatch) -> None:
    import threading

    import coach.ui.speech as speech

    monkeypatch.setenv("COACH_TTS", "espeak")
    threads: list[str] = []
    real = speech.render_cue_wav

    def spy(text, path, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202
        threads.append(threading.current_thread().name)
        return real(text, path, *a, **k)

    monkeypatch.setattr(speech, "render_cue_wav", spy)
    sp = Speaker()
    try:
        assert sp.backend == "espeak-ng"
        with qtbot.waitSignal(sp._rendered, timeout=15000) as first:
            for cue in ("One.", "Two.", "Three.", "Four.", "Five."):
                sp.say(cue)
        assert first.args[0] == "One." and first.args[1].endswith(".wav")
        # while the first cue was busy, only the newest MAX_BACKLOG waited
        qtbot.waitUntil(lambda: list(sp.voiced) == ["One.", "Four.", "Five."], timeout=30000)
        assert MAX_BACKLOG == 2
        assert threads and all(t == "coach-espeak" for t in threads)
    finally:
        sp.close()


def test_spoken_cues_can_be_turned_off(qtbot, monkeypatch) -> None:
    monkeypatch.setenv("COACH_TTS", "off")
    sp = Speaker()
    sp.say("Hello")
    assert list(sp.spoken) == ["Hello"] and list(sp.voiced) == [] and sp.backend == "none"


@needs_espeak
def test_a_player_that_never_finishes_does_not_silence_later_cues(qtbot, monkeypatch) -> None:
    """An audio system that never reports the end of a cue: the watchdog moves on."""
    import coach.ui.speech as speech

    monkeypatch.setenv("COACH_TTS", "espeak")
    monkeypatch.setattr(speech, "WATCHDOG_SLACK_S", 0.2)
    sp = Speaker()
    try:
        # a player whose end is never reported: ignore "stopped playing"
        monkeypatch.setattr(sp, "_on_playing_changed", lambda: None)
        monkeypatch.setattr(sp, "_on_player_status", lambda: None)
        sp.say("One.")
        sp.say("Two.")
        qtbot.waitUntil(lambda: list(sp.voiced) == ["One.", "Two."], timeout=15000)
    finally:
        sp.close()
