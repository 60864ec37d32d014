"""`coach screenshots` writes PNGs of the screens at the asked size, in a throw-away profile."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage

from coach.cli import main

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints", "Camera index out of range")


def test_bad_size_is_one_clear_error(capsys, tmp_path) -> None:
    with pytest.raises(SystemExit, match="^2$") as exc:
        main(["screenshots", "--size", "big", "--out", str(tmp_path)])
    assert exc.value.code == 2
    assert "not a size; use WIDTHxHEIGHT" in capsys.readouterr().err


def test_missing_clip_is_one_clear_error(capsys, tmp_path) -> None:
    assert main(["screenshots", "--out", str(tmp_path), "--clip", str(tmp_path / "no.mp4")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such video file" in err[0]


def test_a_missing_pose_model_is_one_clear_error(capsys, tmp_path, monkeypatch) -> None:
    """With a clip, the session screens need the model: say so before any window opens (the
    walk used to crash on a session page that had closed itself)."""
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"not looked at")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("COACH_POSE_MODEL", raising=False)
    assert main(["screenshots", "--out", str(tmp_path / "out"), "--clip", str(clip)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pose model is not installed" in err[0] and "--no-clip" in err[0]


@pytest.mark.slow
def test_writes_the_screens_at_the_size_asked(
    qtbot, strict_ui, no_cameras, tmp_path, monkeypatch, capsys
) -> None:
    # the command points the profile at its own temporary folder; restore ours afterwards
    for var in ("COACH_CONFIG_DIR", "COACH_DATA_DIR", "COACH_LOG_DIR", "COACH_TTS"):
        monkeypatch.setenv(var, str(strict_ui / var))
    out = tmp_path / "shots"
    code = main(
        [
            "screenshots",
            "--size",
            "1280x720",
            "--out",
            str(out),
            "--no-clip",
            "--only",
            "home",
            "--only",
            "onboarding-1",
            "--only",
            "history-progress-pain",
            "--check",
        ]
    )
    text = capsys.readouterr().out
    assert code == 0, text
    names = sorted(p.name for p in out.glob("*.png"))
    assert names == [
        "history-progress-pain.png",
        "home-posture-strip.png",
        "home.png",
        "onboarding-1-welcome.png",
    ] or names == ["history-progress-pain.png", "home.png", "onboarding-1-welcome.png"], names
    img = QImage(str(out / "home.png"))
    assert (img.width(), img.height()) == (1280, 720)
    assert "0 layout problems" in text
    assert not (strict_ui / "COACH_CONFIG_DIR").exists()  # the caller's own profile untouched
