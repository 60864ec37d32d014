"""User settings: validated, versioned, stored under the platform's config dir.

Settings never block start-up (STYLE §14). A missing file means defaults. Each field is
validated on its own: a bad value falls back to its default alone and every other setting is
kept, so one typo never costs the onboarding, the therapist's routine path or the screening.
Whenever something had to be reset the original file is copied to ``settings.broken-*.json``
beside itself, the repaired settings are written back, and :func:`read_settings` lists the
reset fields (with a sentence for the person) so the app can say what changed.

Safety state fails safe: an unreadable red-flag block becomes a block that asks for the health
screening to be run again, never a silent "no block"; an unreadable screening time means the
screening counts as not done; an unreadable back-surgery answer becomes "not sure" (which leaves
out the most exercises), never "no operation".
"""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from platformdirs import user_config_dir
from pydantic import BaseModel, ConfigDict, Field, ValidationError

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1
#: A settings file is a few KB; anything far larger is not ours (and is not read whole).
MAX_SETTINGS_BYTES = 1_000_000
MAX_PROFILES = 20


class Profile(BaseModel):
    """A set-up profile ("laptop", "desk monitor"...): camera and posture calibration."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)
    name: Annotated[str, Field(min_length=1, max_length=40)] = "laptop"
    camera: str = "0"
    posture_baseline: dict[str, float] | None = None
    posture_sensitivity: Annotated[float, Field(ge=0.5, le=2.0)] = 1.0


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=True, allow_inf_nan=False)
    version: int = SETTINGS_VERSION
    onboarded: bool = False
    screening_done_at: float | None = None
    screening_blocked: bool = False  # an emergency/urgent red-flag answer: sessions are blocked
    screening_advice: str = ""
    parq_flagged: bool = False
    # back surgery reported at onboarding (coach.routines.today): when, and which operation
    surgery_when: Literal[
        "", "under_6_weeks", "6_weeks_to_3_months", "3_to_12_months", "over_a_year", "not_sure"
    ] = ""
    surgery_type: Literal[
        "", "discectomy", "decompression", "fusion", "disc_replacement", "other"
    ] = ""
    voice: bool = True
    sounds: bool = True
    large_text: bool = False
    high_contrast: bool = False
    skeleton_only: bool = False
    mirror: bool = True
    show_performance: bool = False  # frames/s, delay and dropped frames under the video (support)
    model_variant: Literal["lite", "full", "heavy"] = "full"
    model_path: str | None = None
    processing_max_side: Annotated[int, Field(ge=0, le=4096)] = 0  # 0 = as captured
    routine_path: str | None = None
    profiles: list[Profile] = Field(default_factory=lambda: [Profile()])
    active_profile: str = "laptop"
    posture_monitor: bool = False
    posture_rate_hz: Annotated[float, Field(ge=0.5, le=10.0)] = 4.0  # see MonitorConfig.eval_hz

    def profile(self) -> Profile:
        for p in self.profiles:
            if p.name == self.active_profile:
                return p
        return self.profiles[0] if self.profiles else Profile()


#: What the person is told for each field that had to be reset (others use the field name).
FIELD_LABELS: dict[str, str] = {
    "version": "the settings version",
    "onboarded": "first-run set-up done",
    "screening_done_at": "the date of your health screening",
    "screening_blocked": "the health screening result",
    "screening_advice": "the health screening advice",
    "parq_flagged": "the activity-readiness answers",
    "surgery_when": "when you had back surgery",
    "surgery_type": "which back operation you had",
    "voice": "spoken cues",
    "sounds": "sounds",
    "large_text": "large text",
    "high_contrast": "high contrast",
    "skeleton_only": "skeleton only",
    "mirror": "mirror the picture",
    "show_performance": "show performance figures",
    "model_variant": "pose model",
    "model_path": "pose model file",
    "processing_max_side": "processing size",
    "routine_path": "your routine file",
    "profiles": "set-up profiles",
    "active_profile": "the active set-up profile",
    "posture_monitor": "posture monitor",
    "posture_rate_hz": "posture check rate",
}

#: Shown (and used as the block's advice) when the saved red-flag state cannot be read.
UNREADABLE_SCREENING_ADVICE = (
    "Your saved health screening result could not be read. Sessions are paused until you run "
    "the health screening again (Settings)."
)


@dataclass(frozen=True)
class SettingsLoad:
    """What :func:`read_settings` found.

    Attributes
    ----------
    settings
        The settings to use (every readable field kept).
    reset_fields
        Names of the fields that fell back (``"*"`` when the whole file was unusable).
    backup
        Where the original file was copied, when anything was reset.
    warning
        One or two sentences for the person, naming what was reset; None when all was well.
    """

    settings: Settings
    reset_fields: tuple[str, ...] = ()
    backup: Path | None = None
    warning: str | None = None


def settings_path() -> Path:
    env = os.environ.get("COACH_CONFIG_DIR")
    return Path(env or user_config_dir("coach")) / "settings.json"


class _Unreadable:
    """A JSON number no setting can hold (NaN, 1e400, a 5,000-digit integer): it fails the
    validation of its own field only, so the rest of the file is kept."""

    def __init__(self, text: str) -> None:
        self.text = text[:20]

    def __repr__(self) -> str:
        return f"<unreadable number {self.text}>"


def _constant(text: str) -> _Unreadable:
    return _Unreadable(text)


def _finite_float(text: str) -> float | _Unreadable:
    v = float(text)
    return v if math.isfinite(v) else _Unreadable(text)


def _bounded_int(text: str) -> int | _Unreadable:
    return int(text) if len(text.lstrip("-")) <= 30 else _Unreadable(text)


def _parse(raw: str) -> Any:
    """JSON where NaN/Infinity, overflowing floats and 5,000-digit integers parse to a marker
    that no field accepts (instead of inf, nan or a ValueError for the whole file)."""
    return json.loads(
        raw,
        parse_constant=_constant,
        parse_float=_finite_float,
        parse_int=_bounded_int,
    )


def _validate_fields(data: dict[str, Any]) -> tuple[Settings, list[str]]:
    """Validate ``data`` field by field; return the settings and the fields that fell back."""
    fields = Settings.model_fields
    good: dict[str, Any] = {}
    reset: list[str] = []
    for name, value in data.items():
        if name not in fields:
            continue  # unknown keys (a newer coach's) are ignored, as before
        if name == "profiles":
            profiles, dropped = _profiles(value)
            if profiles:
                good[name] = profiles
            if dropped or not profiles:
                reset.append(name)
            continue
        if name == "version" and (isinstance(value, bool) or not isinstance(value, int)):
            reset.append(name)
            continue
        try:
            # One field at a time: the error of one never decides the fate of another.
            Settings.__pydantic_validator__.validate_assignment(
                Settings.model_construct(), name, value
            )
        except (ValidationError, ValueError, TypeError, RecursionError):
            reset.append(name)
            continue
        good[name] = value
    return Settings.model_validate(good), reset


def _profiles(value: Any) -> tuple[list[Profile], bool]:
    if not isinstance(value, list):
        return [], True
    kept: list[Profile] = []
    dropped = False
    for item in value[:MAX_PROFILES]:
        try:
            kept.append(Profile.model_validate(item))
        except (ValidationError, ValueError, TypeError, RecursionError):
            dropped = True
    return kept, dropped or len(value) > MAX_PROFILES


def _fail_safe(s: Settings, reset: list[str]) -> Settings:
    """Safety state never falls back to "no problem": an unreadable red-flag block blocks."""
    if "screening_blocked" in reset:
        s.screening_blocked = True
        s.screening_done_at = None
        s.screening_advice = UNREADABLE_SCREENING_ADVICE
    if "parq_flagged" in reset:
        s.parq_flagged = True
    # Back surgery (coach.routines.today): an unreadable answer leaves out the most, never nothing.
    if "surgery_when" in reset:
        s.surgery_when = "not_sure"
    if "surgery_type" in reset and s.surgery_when:
        s.surgery_type = "other"
    return s


def _backup(p: Path) -> Path | None:
    backup = p.with_name(f"settings.broken-{time.strftime('%Y%m%d-%H%M%S')}.json")
    n = 1
    while backup.exists():
        backup = p.with_name(f"settings.broken-{time.strftime('%Y%m%d-%H%M%S')}-{n}.json")
        n += 1
    try:
        shutil.copy2(p, backup)
    except OSError as exc:
        log.warning("cannot back up the settings file %s: %s", p, exc)
        return None
    return backup


def read_settings(path: Path | None = None) -> SettingsLoad:
    """Load the settings, field by field; never raises for a bad file.

    A file that is not a JSON object at all gives defaults (``reset_fields == ("*",)``); a
    file with some bad values keeps every good one. In both cases the original is copied to a
    timestamped backup and the repaired settings are saved in its place.
    """
    p = path or settings_path()
    if not p.exists():
        return SettingsLoad(Settings())
    whole_file_bad: str | None = None
    data: Any = None
    try:
        if p.stat().st_size > MAX_SETTINGS_BYTES:
            raise ValueError(f"the file is larger than {MAX_SETTINGS_BYTES // 1_000_000} MB")
        data = _parse(p.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        whole_file_bad = str(exc) or type(exc).__name__
    if whole_file_bad is not None:
        log.warning("settings file unusable (%s); using defaults", whole_file_bad)
        backup = _backup(p)
        if backup is not None:
            _save_quietly(Settings(), p)
        kept = f" The old file was kept as {backup.name}." if backup else ""
        return SettingsLoad(
            Settings(),
            ("*",),
            backup,
            f"Your settings file could not be read, so the defaults are in use.{kept}",
        )
    settings, reset = _validate_fields(data)
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > SETTINGS_VERSION:
        log.warning("settings written by a newer coach; unknown fields ignored")
    if not reset:
        return SettingsLoad(settings)
    settings = _fail_safe(settings, reset)
    log.warning("settings reset to their defaults: %s", ", ".join(reset))
    backup = _backup(p)
    if backup is not None:
        _save_quietly(settings, p)
    names = ", ".join(FIELD_LABELS.get(f, f) for f in reset)
    kept = f" The old file was kept as {backup.name}." if backup else ""
    extra = (
        " Sessions are paused until you run the health screening again."
        if ("screening_blocked" in reset)
        else ""
    )
    return SettingsLoad(
        settings,
        tuple(reset),
        backup,
        f"Some settings could not be read and were reset: {names}. "
        f"Everything else was kept.{extra}{kept}",
    )


def load_settings(path: Path | None = None) -> tuple[Settings, str | None]:
    """Return the settings and a warning to show when something was reset.

    See :func:`read_settings` for the list of reset fields.
    """
    r = read_settings(path)
    return r.settings, r.warning


def _save_quietly(s: Settings, p: Path) -> None:
    try:
        save_settings(s, p)
    except OSError as exc:
        log.warning("cannot save the repaired settings to %s: %s", p, exc)


def save_settings(s: Settings, path: Path | None = None) -> None:
    p = path or settings_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".tmp")
    tmp.write_text(s.model_dump_json(indent=2), encoding="utf-8")
    os.replace(tmp, p)
