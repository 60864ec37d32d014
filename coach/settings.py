"""User settings: validated, versioned, stored under the platform's config dir.

Settings never block start-up: a missing file means defaults; a corrupt or invalid file is
reported (a warning the app shows once), backed up beside itself, and replaced by defaults.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Annotated, Literal

from platformdirs import user_config_dir
from pydantic import BaseModel, ConfigDict, Field, ValidationError

log = logging.getLogger(__name__)

SETTINGS_VERSION = 1


class Profile(BaseModel):
    """A set-up profile ("laptop", "desk monitor"...): camera and posture calibration."""

    model_config = ConfigDict(extra="ignore")
    name: Annotated[str, Field(min_length=1, max_length=40)] = "laptop"
    camera: str = "0"
    posture_baseline: dict[str, float] | None = None
    posture_sensitivity: Annotated[float, Field(ge=0.5, le=2.0)] = 1.0


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=True)
    version: int = SETTINGS_VERSION
    onboarded: bool = False
    screening_done_at: float | None = None
    screening_blocked: bool = False  # an emergency/urgent red-flag answer: sessions are blocked
    screening_advice: str = ""
    parq_flagged: bool = False
    voice: bool = True
    sounds: bool = True
    large_text: bool = False
    high_contrast: bool = False
    skeleton_only: bool = False
    mirror: bool = True
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


def settings_path() -> Path:
    env = os.environ.get("COACH_CONFIG_DIR")
    return Path(env or user_config_dir("coach")) / "settings.json"


def load_settings(path: Path | None = None) -> tuple[Settings, str | None]:
    """Return the settings and a warning to show when the file was unusable."""
    p = path or settings_path()
    if not p.exists():
        return Settings(), None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if int(data.get("version", 1)) > SETTINGS_VERSION:
            log.warning("settings written by a newer coach; unknown fields ignored")
        return Settings.model_validate(data), None
    except (OSError, ValueError, ValidationError) as exc:
        backup = p.with_name(f"settings.broken-{time.strftime('%Y%m%d-%H%M%S')}.json")
        try:
            p.replace(backup)
        except OSError:
            backup = p
        log.warning("settings file unusable (%s); using defaults", exc)
        return Settings(), (
            f"Your settings file could not be read, so the defaults are in use. "
            f"The old file was kept as {backup.name}."
        )


def save_settings(s: Settings, path: Path | None = None) -> None:
    p = path or settings_path()
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(".tmp")
    tmp.write_text(s.model_dump_json(indent=2), encoding="utf-8")
    os.replace(tmp, p)
