"""One source for a dose: an exercise's own file says how much; a built-in program says a number
only when it means a different dose on purpose. A program that restates the default is a second
copy that drifts (the marching once read 5 min in the program list and 3 min on its page)."""

from __future__ import annotations

from coach.routines.catalogue import load_catalogue

CAT = load_catalogue()
DOSE_FIELDS = ("sets", "reps", "hold_s", "duration_s")


def test_no_program_restates_an_exercise_default() -> None:
    restated = [
        (pid, item.exercise, f)
        for pid, prog in CAT.programs.items()
        for item in prog.items
        for f in DOSE_FIELDS
        if getattr(item, f) is not None
        and getattr(item, f) == getattr(CAT.exercises[item.exercise].dose, f)
    ]
    assert restated == []


def test_marching_is_the_same_in_the_daily_programs_and_on_its_page() -> None:
    """DOMAIN §2.1: the CLBP starter begins with 5 min of marching (A1, "3-5 min bouts"); the
    starter, aerobic and after-surgery programs use the exercise's own dose, which its page shows.
    Only the desk micro-break asks for its own, shorter, minute (DOMAIN §2.1 "A1 1 min")."""
    march = CAT.exercises["marching_in_place"]
    assert march.dose.duration_s == 300
    for pid in ("clbp_starter", "aerobic", "post_op_cleared"):
        items = [i for i in CAT.programs[pid].items if i.exercise == march.id]
        assert len(items) == 1 and items[0].duration_s is None, pid
    desk = [i for i in CAT.programs["desk_micro_break"].items if i.exercise == march.id]
    assert [i.duration_s for i in desk] == [60]
