""":func:`check_routine` and :func:`resolve`: a routine checked against the catalogue and turned
into the effective plan, with post-operative locks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import ValidationError

from coach.core.metrics import parse_metric
from coach.routines.catalogue import Catalogue, unknown_message
from coach.routines.exercise import Exercise, Fault
from coach.routines.routine.dose import ItemDose
from coach.routines.routine.models import (
    _LOCK_WORDS,
    _RESTRICTION_WORDS,
    LOCK_TAGS,
    DoseMax,
    DoseStep,
    E,
    FaultOverride,
    Item,
    PainRules,
    ProgressRule,
    RegressRule,
    Routine,
    Safety,
    SignalOverride,
    Thresholds,
)
from coach.routines.yamlio import (
    Problem,
    locate,
)

# ---------------------------------------------------------------------------------------------
# Checking and resolving


@dataclass(frozen=True)
class Issue:
    """A finding of :func:`check_routine`, located like a pydantic error (``loc``)."""

    loc: tuple[Any, ...]
    message: str
    hint: str = ""
    severity: Literal["error", "warning"] = "error"
    key: bool = False  # point at the key rather than the value

    def to_problem(self, filename: str, root: Any = None) -> Problem:
        line, col = locate(root, self.loc, key=self.key) if root is not None else (1, 1)
        field_ = ".".join(str(p) for p in self.loc)
        prefix = "warning: " if self.severity == "warning" else ""
        msg = f"{field_}: {prefix}{self.message}" if field_ else f"{prefix}{self.message}"
        return Problem(filename, line, col, msg, self.hint)


class RoutineError(Exception):
    """The routine cannot be resolved; ``issues`` says where and why."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("\n".join(f"{'.'.join(map(str, i.loc))}: {i.message}" for i in issues))


@dataclass(frozen=True)
class ResolvedItem:
    """One item as the app runs it."""

    block: str
    position: int  # 0-based order in the whole routine
    loc: tuple[Any, ...]
    exercise: Exercise  # with the patient's thresholds and dose applied
    base: Exercise  # as in the catalogue (or the custom definition)
    source: Literal["catalogue", "custom"]
    dose: ItemDose
    cues: tuple[str, ...]
    notes: str
    progress: ProgressRule
    progress_step: DoseStep
    progress_max: DoseMax
    regress: RegressRule
    regress_to: str | None
    overrides: tuple[str, ...]  # human-readable threshold overrides
    locked: bool
    lock_reasons: tuple[str, ...]
    unlocks_on: date | None  # the earliest date the lock can lapse (with the therapist's unlock)

    @property
    def exercise_id(self) -> str:
        return self.exercise.id


@dataclass(frozen=True)
class ResolvedRoutine:
    """The effective routine on ``today``: every item, its dose, locks and why."""

    routine: Routine
    today: date
    items: tuple[ResolvedItem, ...]
    warnings: tuple[Issue, ...] = field(default=())

    @property
    def active(self) -> tuple[ResolvedItem, ...]:
        return tuple(i for i in self.items if not i.locked)

    @property
    def locked(self) -> tuple[ResolvedItem, ...]:
        return tuple(i for i in self.items if i.locked)

    @property
    def pain_rules(self) -> PainRules:
        return self.routine.safety.pain_rules

    @property
    def expired(self) -> bool:
        return self.routine.valid_until is not None and self.today > self.routine.valid_until

    @property
    def not_yet_valid(self) -> bool:
        return self.routine.valid_from is not None and self.today < self.routine.valid_from

    @property
    def restrictions_in_force(self) -> bool:
        r = self.routine.safety.restrictions
        return r is not None and r.in_force(self.today)

    def item(self, exercise_id: str) -> ResolvedItem:
        for it in self.items:
            if it.exercise_id == exercise_id:
                return it
        raise KeyError(exercise_id)


def lock_reasons(exercise: Exercise, safety: Safety, today: date) -> tuple[list[str], date | None]:
    """Why ``exercise`` is locked on ``today`` (empty: it is not), and when it could unlock."""
    r = safety.restrictions
    if r is None:
        return [], None
    reasons: list[str] = []
    for tag, restriction in LOCK_TAGS.items():
        if tag not in exercise.tags or not r.active(restriction):
            continue
        what = _RESTRICTION_WORDS[restriction]
        if restriction == "no_lifting_kg_over":
            what = f"lifting more than {r.no_lifting_kg_over:g} kg"
        if r.until is None:
            reasons.append(f"{_LOCK_WORDS[tag]}, and {what} is restricted with no end date")
        elif r.in_force(today):
            after = (
                f"your therapist has unlocked it from {date.fromordinal(r.until.toordinal() + 1).isoformat()}"
                if exercise.id in safety.unlock
                else "after that your therapist must unlock it"
            )
            reasons.append(
                f"{_LOCK_WORDS[tag]}, and {what} is restricted until {r.until.isoformat()}; {after}"
            )
        elif exercise.id not in safety.unlock:
            reasons.append(
                f"{_LOCK_WORDS[tag]}; the {what} restriction ended on {r.until.isoformat()}, "
                "but your therapist has not unlocked it yet"
            )
    unlocks_on = None
    if reasons and r.until is not None:
        unlocks_on = date.fromordinal(r.until.toordinal() + 1)
    return reasons, unlocks_on


def _apply_thresholds(
    base: Exercise, th: Thresholds, loc: tuple[Any, ...], issues: list[Issue]
) -> tuple[dict[str, Any], list[str]]:
    """Check the overrides against the envelope; return the exercise data with them applied."""
    data = base.model_dump(mode="python")
    described: list[str] = []
    tloc = (*loc, "thresholds")
    if th.signal is not None:
        if base.signal is None:
            issues.append(
                Issue(
                    (*tloc, "signal"),
                    f"'{base.id}' has no movement signal to override",
                    "remove 'signal'",
                )
            )
        else:
            _override_signal(base, th.signal, data, tloc, issues, described)
    faults = {f.id: f for f in base.faults}
    for fid, ov in th.faults.items():
        floc = (*tloc, "faults", fid)
        if fid not in faults:
            issues.append(
                Issue(
                    floc,
                    unknown_message("fault", fid, list(faults))
                    if faults
                    else f"'{base.id}' has no faults to override",
                    key=True,
                )
            )
            continue
        idx = next(i for i, f in enumerate(base.faults) if f.id == fid)
        when = data["faults"][idx]["when"]
        _override_fault(faults[fid], ov, when, floc, issues, described)
    return data, described


def _envelope(metric: str) -> tuple[float, str]:
    """How far a threshold on ``metric`` may move from the catalogue's, and its unit sign."""
    m, _ = parse_metric(metric)
    limit = E.max_shift_deg if m.unit == "deg" else E.max_shift_ratio
    unit = "°" if m.unit == "deg" else ""
    return limit, unit


def _override_signal(
    base: Exercise,
    sig: SignalOverride,
    data: dict[str, Any],
    tloc: tuple[Any, ...],
    issues: list[Issue],
    described: list[str],
) -> None:
    """Apply the movement signal's rest/work overrides that stay in the envelope to ``data``."""
    assert base.signal is not None
    limit, unit = _envelope(base.signal.metric)
    for name in ("rest", "work"):
        new = getattr(sig, name)
        if new is None:
            continue
        old = float(getattr(base.signal, name))
        if abs(new - old) > limit + 1e-9:
            issues.append(
                Issue(
                    (*tloc, "signal", name),
                    f"{name} {new:g}{unit} is outside the safety envelope: at most ±{limit:g}{unit} from the catalogue's {old:g}{unit}",
                    f"use a value between {old - limit:g} and {old + limit:g}",
                )
            )
            continue
        data["signal"][name] = new
        # per-view thresholds move by the same amount, so side and front views agree
        for view in data["signal"].get("views", {}).values():
            view[name] = view[name] + (new - old)
        described.append(f"{base.signal.metric} {name} {old:g} → {new:g}{unit}")


def _override_fault(
    fault: Fault,
    ov: FaultOverride,
    when: dict[str, Any],
    floc: tuple[Any, ...],
    issues: list[Issue],
    described: list[str],
) -> None:
    """Apply one fault's range or value override to its ``when`` data if it stays in the envelope."""
    fid = fault.id
    limit, unit = _envelope(fault.when.metric)
    if fault.when.range is not None:
        if ov.range is None:
            issues.append(
                Issue(
                    floc,
                    f"fault '{fid}' is a range check ({fault.when.op}); override it with 'range: [low, high]'",
                )
            )
            return
        old_r = fault.when.range
        bad = [n for n, o in zip(ov.range, old_r, strict=True) if abs(n - o) > limit + 1e-9]
        if bad:
            issues.append(
                Issue(
                    (*floc, "range"),
                    f"range [{ov.range[0]:g}, {ov.range[1]:g}] is outside the safety envelope: each end at most ±{limit:g}{unit} from the catalogue's [{old_r[0]:g}, {old_r[1]:g}]",
                    f"keep the low end in {old_r[0] - limit:g}..{old_r[0] + limit:g} and the high end in {old_r[1] - limit:g}..{old_r[1] + limit:g}",
                )
            )
            return
        when["range"] = tuple(ov.range)
        described.append(
            f"{fid}: {fault.when.metric} range [{old_r[0]:g}, {old_r[1]:g}] → [{ov.range[0]:g}, {ov.range[1]:g}]"
        )
        return
    if ov.value is None:
        issues.append(
            Issue(
                floc,
                f"fault '{fid}' compares with one value ({fault.when.op}); override it with 'value: N'",
            )
        )
        return
    old_v = float(fault.when.value or 0.0)
    if abs(ov.value - old_v) > limit + 1e-9:
        issues.append(
            Issue(
                (*floc, "value"),
                f"value {ov.value:g}{unit} is outside the safety envelope: at most ±{limit:g}{unit} from the catalogue's {old_v:g}{unit}",
                f"use a value between {old_v - limit:g} and {old_v + limit:g}",
            )
        )
        return
    when["value"] = ov.value
    described.append(f"{fid}: {fault.when.metric} {fault.when.op} {old_v:g} → {ov.value:g}{unit}")


def _effective_dose(
    base: Exercise, item: Item, loc: tuple[Any, ...], source: str, issues: list[Issue]
) -> ItemDose:
    d = base.dose
    pattern = tuple(item.reps_pattern) if item.reps_pattern is not None else None
    sets = len(pattern) if pattern is not None else (item.sets if item.sets is not None else d.sets)
    reps = None if pattern is not None else (item.reps if item.reps is not None else d.reps)
    if base.kind in ("timed", "breathing") and item.reps is None and pattern is None:
        reps = None
    dose = ItemDose(
        sets=sets,
        reps=reps,
        reps_pattern=pattern,
        hold_s=item.hold_s if item.hold_s is not None else d.hold_s,
        rest_s=item.rest_s if item.rest_s is not None else d.rest_s,
        duration_s=item.duration_s if item.duration_s is not None else d.duration_s,
        tempo=item.tempo if item.tempo is not None else d.tempo,
        side=item.side if item.side is not None else base.sides,
        kind=base.kind,
    )

    # The item's own fields are bounded by the model; values inherited from a custom
    # exercise's (looser) Exercise schema are checked here, at the custom dose's position.
    def where(name: str) -> tuple[Any, ...]:
        if getattr(item, name, None) is not None:
            return (*loc, name)
        return (*loc, "custom", "dose", name) if source == "custom" else (*loc, "exercise")

    limits = (
        ("sets", E.max_sets, "sets"),
        ("reps", E.max_reps, "reps"),
        ("hold_s", E.max_hold_s, "s hold"),
        ("rest_s", E.max_rest_s, "s rest"),
        ("duration_s", E.max_duration_s, "s"),
    )
    for name, limit, unit in limits:
        v = getattr(dose, name)
        if v is not None and v > limit:
            issues.append(
                Issue(
                    where(name),
                    f"{name} {v:g} is outside the safety envelope (at most {limit:g} {unit})",
                    f"use at most {limit:g}",
                )
            )
    if dose.total_reps > E.max_volume:
        what = (
            "sum of reps_pattern"
            if pattern is not None
            else f"sets × reps = {dose.sets} × {dose.reps}"
        )
        issues.append(
            Issue(
                (*loc, "reps_pattern")
                if pattern is not None
                else ((*loc, "reps") if item.reps is not None else where("sets")),
                f"{what} = {dose.total_reps} reps is over the per-item limit of {E.max_volume}",
                "fewer sets or reps",
            )
        )
    if item.side is not None and item.side != "none" and base.sides == "none":
        issues.append(
            Issue(
                (*loc, "side"),
                f"'{base.id}' is done with both sides together; it has no '{item.side}' side",
                "remove 'side'",
            )
        )
    return dose


def _default_step(base: Exercise, dose: ItemDose) -> DoseStep:
    if base.kind == "breathing":
        return DoseStep()
    if base.kind == "timed":
        return DoseStep(duration_s=60.0)
    if base.kind == "hold" and dose.hold_s > 0:
        return DoseStep(hold_s=5.0)
    return DoseStep(reps=1)  # NHS: add 1-2 reps every few days if comfortable


def _default_max(rule: ProgressRule, dose: ItemDose) -> DoseMax:
    m = rule.max

    def cap(given: float | None, start: float | None, limit: float) -> float | None:
        if given is not None:
            return given
        if not start:
            return None
        return min(limit, 2 * start)

    reps_start = max(dose.reps_pattern) if dose.reps_pattern else dose.reps
    reps_cap = cap(m.reps, reps_start, E.max_reps)
    return DoseMax(
        sets=m.sets if m.sets is not None else dose.sets,
        reps=int(reps_cap) if reps_cap is not None else None,
        hold_s=cap(m.hold_s, dose.hold_s, E.max_hold_s),
        duration_s=cap(m.duration_s, dose.duration_s, E.max_duration_s),
    )


def _resolve(
    routine: Routine, catalogue: Catalogue, today: date
) -> tuple[list[ResolvedItem], list[Issue]]:
    issues: list[Issue] = []
    items: list[ResolvedItem] = []
    customs = _custom_exercises(routine, catalogue, issues)
    known = [*catalogue.exercises, *customs]
    position = 0
    for loc, block, item in routine.items():
        if item.custom is not None:
            base, source = item.custom, "custom"
        else:
            assert item.exercise is not None
            found = catalogue.exercises.get(item.exercise)
            if found is None:
                issues.append(
                    Issue(
                        (*loc, "exercise"),
                        unknown_message("exercise", item.exercise, known),
                        "run 'coach exercises' to list the catalogue",
                    )
                )
                continue
            base, source = found, "catalogue"
        data, described = _apply_thresholds(base, item.thresholds, loc, issues)
        dose = _effective_dose(base, item, loc, source, issues)
        effective = _effective_exercise(base, data, dose, loc, issues)
        regress_to = item.regress.to or base.regression
        if item.regress.to is not None and item.regress.to not in known:
            issues.append(
                Issue((*loc, "regress", "to"), unknown_message("exercise", item.regress.to, known))
            )
        step = item.progress.step if item.progress.step is not None else _default_step(base, dose)
        reasons, unlocks_on = lock_reasons(base, routine.safety, today)
        items.append(
            ResolvedItem(
                block=block.name,
                position=position,
                loc=loc,
                exercise=effective,
                base=base,
                source=source,  # type: ignore[arg-type]
                dose=dose,
                cues=tuple(item.cues),
                notes=item.notes,
                progress=item.progress,
                progress_step=step,
                progress_max=_default_max(item.progress, dose),
                regress=item.regress,
                regress_to=regress_to,
                overrides=tuple(described),
                locked=bool(reasons),
                lock_reasons=tuple(reasons),
                unlocks_on=unlocks_on,
            )
        )
        position += 1
    _check_unlocks(routine, catalogue, customs, known, items, issues)
    _check_safety_dates(routine, today, issues)
    return items, issues


def _custom_exercises(
    routine: Routine, catalogue: Catalogue, issues: list[Issue]
) -> dict[str, Exercise]:
    """The routine's custom exercises by id (first definition wins); clashes go to ``issues``."""
    customs: dict[str, Exercise] = {}
    for loc, _block, item in routine.items():
        if item.custom is not None:
            cid = item.custom.id
            if cid in catalogue.exercises:
                issues.append(
                    Issue(
                        (*loc, "custom", "id"),
                        f"custom exercise id '{cid}' is already a catalogue exercise",
                        f"choose another id, e.g. 'my_{cid}'",
                    )
                )
            elif cid in customs and item.custom != customs[cid]:
                issues.append(
                    Issue(
                        (*loc, "custom", "id"),
                        f"custom exercise id '{cid}' is defined twice with different content",
                        "give each custom exercise its own id",
                    )
                )
            customs.setdefault(cid, item.custom)
    return customs


def _effective_exercise(
    base: Exercise, data: dict[str, Any], dose: ItemDose, loc: tuple[Any, ...], issues: list[Issue]
) -> Exercise:
    """``base`` with the overridden thresholds and the routine's dose; ``base`` itself (and an
    issue) when the overrides make it invalid."""
    data["dose"] = {
        "sets": dose.sets,
        "reps": dose.reps_for_set(0),
        "hold_s": dose.hold_s,
        "rest_s": dose.rest_s,
        "duration_s": dose.duration_s,
        "tempo": dose.tempo,
    }
    if dose.side != "none" and base.sides != "none":
        data["sides"] = dose.side
    try:
        return Exercise.model_validate(data)
    except ValidationError as exc:
        why = "; ".join(str(e.get("msg", "")).removeprefix("Value error, ") for e in exc.errors())
        issues.append(
            Issue(
                (*loc, "thresholds"),
                f"with these overrides '{base.id}' is invalid: {why}",
                "move the thresholds back toward the catalogue's",
            )
        )
        return base


def _check_unlocks(
    routine: Routine,
    catalogue: Catalogue,
    customs: dict[str, Exercise],
    known: list[str],
    items: list[ResolvedItem],
    issues: list[Issue],
) -> None:
    """Every unlocked exercise must exist, and should be in the routine."""
    in_routine = {i.exercise_id for i in items}
    for k, uid in enumerate(routine.safety.unlock):
        if uid not in catalogue.exercises and uid not in customs:
            issues.append(Issue(("safety", "unlock", k), unknown_message("exercise", uid, known)))
        elif uid not in in_routine:
            issues.append(
                Issue(
                    ("safety", "unlock", k),
                    f"'{uid}' is not in this routine, so unlocking it changes nothing",
                    severity="warning",
                )
            )


def _check_safety_dates(routine: Routine, today: date, issues: list[Issue]) -> None:
    """Restrictions that restrict nothing, a surgery in the future, restrictions ending before it."""
    r = routine.safety.restrictions
    if r is not None and not any(r.active(n) for n in _RESTRICTION_WORDS):
        issues.append(
            Issue(
                ("safety", "restrictions"),
                "no restriction is switched on",
                "set no_flexion, no_rotation, no_extension or no_lifting_kg_over, or remove 'restrictions'",
                severity="warning",
            )
        )
    s = routine.safety.surgery
    if s is not None and s.date > today:
        issues.append(
            Issue(
                ("safety", "surgery", "date"),
                f"the surgery date {s.date.isoformat()} is in the future",
                "check the date",
                severity="warning",
            )
        )
    if r is not None and r.until is not None and s is not None and r.until < s.date:
        issues.append(
            Issue(
                ("safety", "restrictions", "until"),
                "the restrictions end before the surgery date",
                "check the dates",
            )
        )


def check_routine(routine: Routine, catalogue: Catalogue, today: date | None = None) -> list[Issue]:
    """Every problem the model alone cannot see: unknown exercises, unsafe overrides and doses,
    an expired routine. Errors and warnings, in file order."""
    today = today or date.today()
    _, issues = _resolve(routine, catalogue, today)
    if routine.valid_from and routine.valid_until and routine.valid_until < routine.valid_from:
        issues.append(Issue(("valid_until",), "valid_until is before valid_from", "swap the dates"))
    elif routine.valid_until is not None and routine.valid_until < today:
        issues.append(
            Issue(
                ("valid_until",),
                f"this routine expired on {routine.valid_until.isoformat()} (today is {today.isoformat()})",
                "ask your therapist for an updated routine, or extend valid_until",
            )
        )
    if routine.created is not None and routine.created > today:
        issues.append(
            Issue(
                ("created",),
                f"the creation date {routine.created.isoformat()} is in the future",
                "check the date",
                severity="warning",
            )
        )
    return issues


def resolve(routine: Routine, catalogue: Catalogue, today: date | None = None) -> ResolvedRoutine:
    """The effective routine on ``today``.

    Parameters
    ----------
    routine
        A validated routine.
    catalogue
        The exercise catalogue (:func:`coach.routines.catalogue.load_catalogue`).
    today
        The date the locks and validity are judged on; default: today.

    Returns
    -------
    ResolvedRoutine
        Every item in order with its effective exercise (threshold overrides and dose applied),
        dose, progression/regression rules and lock state. An expired routine still resolves
        (``expired`` is True): the app decides what to show.

    Raises
    ------
    RoutineError
        An item names an unknown exercise or breaks the safety envelope.
    """
    today = today or date.today()
    items, issues = _resolve(routine, catalogue, today)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise RoutineError(errors)
    return ResolvedRoutine(
        routine, today, tuple(items), tuple(i for i in issues if i.severity == "warning")
    )
