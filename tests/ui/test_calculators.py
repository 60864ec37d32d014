"""The ergonomics calculators page: forms bound to the core's input dataclasses, results live."""

from __future__ import annotations

import math
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from coach.core.ergonomics import (  # noqa: E402
    NioshInput,
    RebaInput,
    RulaInput,
    compute_niosh,
    compute_reba,
    compute_rula,
)
from coach.ui.calculators import NIOSH_FIELDS, REBA_FIELDS, RULA_FIELDS, CalculatorsPage  # noqa: E402


@pytest.fixture
def page(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("COACH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("COACH_DATA_DIR", str(tmp_path / "data"))
    from coach.routines.catalogue import load_catalogue
    from coach.settings import Settings
    from coach.ui.context import AppContext

    ctx = AppContext(settings=Settings(), catalogue=load_catalogue(), nav=None)  # type: ignore[arg-type]
    p = CalculatorsPage(ctx)
    qtbot.addWidget(p)
    return p


def _rula_kw(values: dict) -> dict:
    return {**values, "force_a": int(values["force_a"]), "force_b": int(values["force_b"])}


def test_defaults_are_the_webcam_defaults(page: CalculatorsPage) -> None:
    rula = page.rula.form.values()
    assert rula["wrist"] is None and rula["wrist_twist_end_range"] is False  # DOMAIN §3.7
    assert (
        rula["force_a"] == 0 and rula["legs_supported"] is True and rula["arm_supported"] is False
    )
    reba = page.reba.form.values()
    assert reba["coupling"] == "fair" and reba["wrist"] is None and reba["load_kg"] == 0.0
    assert page.niosh.form.values()["coupling"] == "fair"
    assert page.rula_result == compute_rula(RulaInput(**_rula_kw(rula)))
    assert page.reba_result == compute_reba(RebaInput(**reba))
    assert page.niosh_result == compute_niosh(NioshInput(**page.niosh.form.values()))
    assert {f.name for f in RULA_FIELDS} == set(RulaInput.__dataclass_fields__)
    assert {f.name for f in REBA_FIELDS} == set(RebaInput.__dataclass_fields__)
    assert {f.name for f in NIOSH_FIELDS} == set(NioshInput.__dataclass_fields__)


def test_rula_updates_live_and_matches_the_core(page: CalculatorsPage) -> None:
    w = page.rula.form.widgets
    w["upper_arm"].setValue(100)  # > 90° flexion
    w["shoulder_raised"].setChecked(True)
    w["neck"].setValue(25)
    w["trunk"].setValue(30)
    w["wrist"].set_value(20.0)
    w["force_b"].setCurrentIndex(w["force_b"].findData(2))
    w["muscle_use_a"].setChecked(True)
    inp = RulaInput(**_rula_kw(page.rula.form.values()))
    assert inp.upper_arm == 100 and inp.wrist == 20.0 and inp.force_b == 2
    expected = compute_rula(inp)
    assert page.rula_result == expected
    panel = page.rula.result
    assert panel.score.text() == f"RULA {expected.grand_score} of 7"
    assert f"Action level {expected.action_level}" in panel.level.text()
    shown = {
        panel.table.item(i, 0).text(): panel.table.item(i, 1).text()
        for i in range(panel.table.rowCount())
    }
    assert shown["Table A: arm and wrist posture"] == str(expected.posture_a)
    assert shown["Table B: neck, trunk and legs posture"] == str(expected.posture_b)
    assert shown["Table C: grand score"] == str(expected.grand_score)
    assert shown["= Score C (wrist and arm)"] == str(expected.score_c)
    for d in expected.drivers:
        assert d in panel.drivers.text()


def test_reba_matches_the_core(page: CalculatorsPage) -> None:
    page.reba.form.set_values(
        {
            "trunk": 45.0,
            "neck": 25.0,
            "sitting": False,
            "knee_flex": 70.0,
            "load_kg": 12.0,
            "upper_arm": 60.0,
            "lower_arm": 40.0,
            "coupling": "poor",
            "static_posture": True,
        }
    )
    expected = compute_reba(RebaInput(**page.reba.form.values()))
    assert page.reba_result == expected
    assert page.reba.result.score.text() == f"REBA {expected.reba_score} of 15"
    assert expected.risk in page.reba.result.level.text()


def test_niosh_shows_every_multiplier(page: CalculatorsPage) -> None:
    # CCOHS-style example (DOMAIN §4.3): 10 kg, H 20, V 75, D 0, A 90°, 10 lifts/min, moderate, fair
    page.niosh.form.set_values(
        {
            "load_kg": 10.0,
            "h_cm": 20.0,
            "v_cm": 75.0,
            "d_cm": 0.0,
            "a_deg": 90.0,
            "frequency_per_min": 10.0,
            "duration": "moderate",
            "coupling": "fair",
        }
    )
    expected = compute_niosh(NioshInput(**page.niosh.form.values()))
    r = page.niosh_result
    assert r == expected
    assert math.isclose(r.rwl_kg, 23 * 1.0 * 1.0 * 1.0 * (1 - 0.0032 * 90) * 0.26 * 1.0)
    panel = page.niosh.result
    values = [panel.table.item(i, 1).text() for i in range(panel.table.rowCount())]
    for m in (r.hm, r.vm, r.dm, r.am, r.fm, r.cm):
        assert f"{m:.2f}" in values
    assert f"{r.lifting_index:.2f}" in panel.score.text()
    assert "FM" in panel.drivers.text()
