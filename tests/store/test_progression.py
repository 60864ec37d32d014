"""Traffic-light classification and the progression / regression engine (DOMAIN §2.0, §5.1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from coach.core.pain import classify_session
from coach.routines.catalogue import load_catalogue
from coach.routines.routine import (
    DoseMax,
    DoseStep,
    ItemDose,
    PainRules,
    ResolvedRoutine,
    Routine,
    resolve,
)
from coach.store.history import History, open_history
from coach.store.progression import (
    current_dose,
    next_morning_ok,
    plan_next_session,
    scale_dose,
    step_dose,
)

CAT = load_catalogue()
T0 = datetime(2026, 11, 2, 17, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class P:
    context: str
    value: int
    spreading_down_leg: bool = False


@pytest.mark.parametrize(
    ("pains", "light"),
    [
        ([P("before", 2), P("after_exercise", 3), P("end", 3)], "green"),
        ([P("before", 0), P("end", 0)], "green"),
        ([P("before", 3), P("after_exercise", 4)], "amber"),
        ([P("before", 2), P("end", 5)], "amber"),
        ([P("before", 0), P("end", 2)], "amber"),  # +2 over the start is amber even at 2/10
        ([P("before", 1), P("end", 2)], "green"),
        ([P("before", 2), P("after_exercise", 6)], "red"),
        ([P("before", 5), P("end", 9)], "red"),
        ([P("before", 1), P("on_demand", 1, True)], "red"),  # spreading down the leg
        ([P("before", 7), P("end", 3)], "green"),  # high before, settled after: judged on after
    ],
)
def test_classify_session(pains: list[P], light: str) -> None:
    c = classify_session(pains)
    assert c.light == light
    assert bool(c.reasons) == (light != "green")


def test_classify_with_the_therapists_stricter_rules() -> None:
    rules = PainRules(green_max=2, amber_max=4)
    assert classify_session([P("end", 3)], rules).light == "amber"
    assert classify_session([P("end", 5)], rules).light == "red"
    assert "at or above 5/10" in classify_session([P("end", 5)], rules).reasons[0]


def test_next_morning_rule() -> None:
    assert next_morning_ok([P("before", 2)]) == (None, "no next-morning rating")
    assert next_morning_ok([P("before", 2), P("next_morning", 4)])[0] is True
    ok, why = next_morning_ok([P("before", 2), P("next_morning", 6)])
    assert ok is False and "above 5/10" in why
    ok, why = next_morning_ok([P("before", 1), P("next_morning", 4)])
    assert ok is False and "more than 2 above" in why


# ---------------------------------------------------------------------------------------------
# Dose arithmetic


def test_step_dose_respects_the_ceiling() -> None:
    d = ItemDose(sets=2, reps=8, hold_s=5.0)
    assert step_dose(d, DoseStep(reps=1, hold_s=2), DoseMax(reps=12, hold_s=6)) == ItemDose(
        sets=2, reps=9, hold_s=6.0
    )
    assert step_dose(
        ItemDose(sets=2, reps=12, hold_s=6.0),
        DoseStep(reps=1, hold_s=2),
        DoseMax(reps=12, hold_s=6),
    ) == ItemDose(sets=2, reps=12, hold_s=6.0)
    pyramid = ItemDose(sets=3, reps=None, reps_pattern=(5, 3, 1), hold_s=10.0)
    assert step_dose(pyramid, DoseStep(reps=1), DoseMax(reps=5)).reps_pattern == (5, 4, 2)
    timed = ItemDose(sets=1, reps=None, duration_s=180.0, kind="timed")
    assert step_dose(timed, DoseStep(duration_s=60), DoseMax(duration_s=200)).duration_s == 200


def test_scale_dose_cuts_twenty_percent() -> None:
    assert scale_dose(ItemDose(sets=2, reps=8, hold_s=10.0), 0.8) == ItemDose(
        sets=2, reps=6, hold_s=8.0
    )
    assert scale_dose(ItemDose(sets=3, reps=1), 0.8) == ItemDose(
        sets=2, reps=1
    )  # one rep: lose a set
    assert scale_dose(ItemDose(sets=1, reps=1), 0.8) == ItemDose(sets=1, reps=1)  # never below one
    assert scale_dose(ItemDose(sets=3, reps=None, reps_pattern=(5, 3, 1)), 0.8).reps_pattern == (
        4,
        2,
        1,
    )
    assert scale_dose(ItemDose(sets=1, reps=None, duration_s=300.0), 0.8).duration_s == 240


# ---------------------------------------------------------------------------------------------
# With a history


def _routine(**item: object) -> ResolvedRoutine:
    data = {
        "id": "prog-test",
        "title": "t",
        "author": {"name": "A"},
        "blocks": [
            {
                "name": "b",
                "items": [{"exercise": "glute_bridge", "sets": 2, "reps": 8, "hold_s": 5, **item}],
            }
        ],
    }
    return resolve(Routine.model_validate(data), CAT, date(2026, 11, 1))


@pytest.fixture
def history(tmp_path: Path) -> History:
    h, _ = open_history(tmp_path / "h.sqlite3")
    yield h
    h.close()


def _do(
    h: History,
    day: int,
    *,
    after: int = 2,
    before: int = 2,
    morning: int | None = 2,
    faulty: int = 0,
    reps: int = 16,
    planned: int = 8,
    spreading: bool = False,
) -> str:
    when = T0 + timedelta(days=day)
    rec = h.recorder()
    sid = rec.start_session("prog-test", 1, when=when)
    rec.record_pain(before, "before", when=when)
    rec.start_exercise("glute_bridge", position=0, sets_planned=2, reps_planned=planned, when=when)
    for i in range(1, reps + 1):
        rec.record_rep(
            {
                "index": i,
                "start": i,
                "end": i + 2.0,
                "range": 25.0,
                "faults": ["over_arching"] if i <= faulty else [],
            }
        )
    rec.end_exercise(
        {"reps": reps, "partial_reps": 0, "faults": {"over_arching": faulty}},
        when=when + timedelta(minutes=5),
    )
    rec.record_pain(after, "end", spreading_down_leg=spreading, when=when + timedelta(minutes=6))
    rec.end_session("completed", when=when + timedelta(minutes=7))
    if morning is not None:
        h.record_next_morning(sid, morning, when=when + timedelta(hours=15))
    return sid


def _now(day: int) -> datetime:
    return T0 + timedelta(days=day, hours=20)


def test_progresses_after_two_green_sessions_and_records_why(history: History) -> None:
    r = _routine(
        progress={
            "when": {"green_sessions": 2, "max_fault_ratio": 0.2},
            "step": {"reps": 1, "hold_s": 1},
            "max": {"reps": 12},
        }
    )
    _do(history, 0)
    (d,) = plan_next_session(history, r, now=_now(0))
    assert d.kind == "hold" and "1 of 2 sessions" in d.reason
    _do(history, 1, faulty=3)  # 3 of 16 faulty = 81 % fault-free: enough
    (d,) = plan_next_session(history, r, now=_now(1))
    assert d.kind == "progress"
    assert (d.before.reps, d.after.reps, d.after.hold_s) == (8, 9, 6.0)
    assert "8 → 9 reps" in d.reason and "last 2 sessions were green" in d.reason
    (event,) = history.progression_events(routine_id="prog-test")
    assert (
        event.kind == "progress"
        and event.reason == d.reason
        and event.after is not None
        and event.after["reps"] == 9
    )
    # asking again applies nothing twice
    (again,) = plan_next_session(history, r, now=_now(1) + timedelta(minutes=1))
    assert again.kind == "hold" and again.before.reps == 9
    assert len(history.progression_events(routine_id="prog-test")) == 1
    assert current_dose(history, "prog-test", r.items[0])[0].reps == 9


def test_amber_faults_incomplete_or_unrated_sessions_hold(history: History) -> None:
    r = _routine()
    _do(history, 0)
    _do(history, 1, after=4)
    (d,) = plan_next_session(history, r, now=_now(1))
    assert d.kind == "hold" and "was amber" in d.reason

    h2 = history
    r2 = _routine(progress={"when": {"green_sessions": 1}})
    _do(h2, 2, faulty=6)
    (d,) = plan_next_session(h2, r2, now=_now(2))
    assert d.kind == "hold" and "62% of reps were free of form faults; 80% are needed" in d.reason


def test_incomplete_dose_and_missing_morning_hold(tmp_path: Path) -> None:
    h, _ = open_history(tmp_path / "a.sqlite3")
    r = _routine(progress={"when": {"green_sessions": 1}})
    _do(h, 0, reps=10)  # 10 of 16 planned
    (d,) = plan_next_session(h, r, now=_now(0))
    assert d.kind == "hold" and "10 of 16 reps were done" in d.reason
    h.close()
    h, _ = open_history(tmp_path / "b.sqlite3")
    _do(h, 0, morning=None)
    (d,) = plan_next_session(h, r, now=_now(0))
    assert d.kind == "hold" and "waiting for the next-morning pain rating" in d.reason
    h.close()


def test_red_session_regresses_twenty_percent_and_flags(history: History) -> None:
    r = _routine()
    _do(history, 0, after=6)
    (d,) = plan_next_session(history, r, now=_now(0))
    assert d.kind == "regress" and d.flag_therapist
    assert (d.before.reps, d.after.reps, d.after.hold_s) == (8, 6, 4.0)
    assert (
        "was red" in d.reason
        and "6/10" in d.reason
        and "pelvic tilt" in d.reason
        and "tell your therapist" in d.reason
    )
    assert d.suggest == "pelvic_tilt"
    assert history.progression_events()[0].kind == "regress"


def test_spreading_and_bad_mornings_regress(tmp_path: Path) -> None:
    r = _routine()
    h, _ = open_history(tmp_path / "a.sqlite3")
    _do(h, 0, spreading=True)
    (d,) = plan_next_session(h, r, now=_now(0))
    assert d.kind == "regress" and "spread down the leg" in d.reason
    h.close()
    h, _ = open_history(tmp_path / "b.sqlite3")
    _do(h, 0, morning=6)
    (d,) = plan_next_session(h, r, now=_now(0))
    assert d.kind == "regress" and "next morning was 6/10" in d.reason
    h.close()


def test_a_new_prescription_resets_the_dose(history: History) -> None:
    r = _routine(progress={"when": {"green_sessions": 1}})
    _do(history, 0)
    (d,) = plan_next_session(history, r, now=_now(0))
    assert d.kind == "progress" and d.after.reps == 9
    changed = _routine(reps=10, progress={"when": {"green_sessions": 1}})
    dose, since = current_dose(history, "prog-test", changed.items[0])
    assert dose.reps == 10 and since is None


def test_progression_off_and_ceiling(history: History) -> None:
    off = _routine(progress={"enabled": False})
    _do(history, 0)
    _do(history, 1)
    assert plan_next_session(history, off, now=_now(1))[0].reason.endswith(
        "progression is off for this exercise."
    )
    top = _routine(progress={"max": {"reps": 8, "hold_s": 5}})
    (d,) = plan_next_session(history, top, now=_now(1), record=False)
    assert d.kind == "hold" and "at the most your therapist set" in d.reason
