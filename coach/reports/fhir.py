"""The HL7 FHIR R4 Bundle of the history (DOMAIN §6.2).

FHIR Bundle (type ``collection``), built and validated with the maintained ``fhir.resources``
models (R4B, wire-compatible with R4 for the resources used):

* ``Patient`` (from the routine file's ``patient:``: name, year of birth as ``birthDate``,
  each external id as an ``identifier``; or the name given) and ``Device`` (this app);
* ``CarePlan`` per routine and version: ``identifier`` = the routine id (system
  :data:`ROUTINE_ID_SYSTEM`), the version in the extension :data:`ROUTINE_VERSION_EXT` and the
  title — ``Observation.basedOn``;
* ``Encounter`` per session (home health, period = session) — ``Observation.encounter``;
* ``Observation`` per exercise performed: category ``activity``, code LOINC 73985-4
  "Exercise activity" plus the exercise id in a local code system, ``effectivePeriod``, and
  components for reps, partial reps, sets, holds, hold seconds and each fault's count
  (local CodeSystem :data:`METRICS_SYSTEM`);
* ``Observation`` per pain rating: code LOINC 72514-3 (0-10 NRS), ``valueQuantity`` in
  ``{score}``, components for the context and "spreading down the leg".

The disclaimer is a ``Bundle.meta`` tag and a ``Device.note``; every Bundle is read back
(:func:`_verify_fhir`) before it is reported.
"""

from __future__ import annotations

import errno
import json
import re
import uuid
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError

from coach.reports.files import DISCLAIMER, _app_version, _replace, _tmp, _unreadable
from coach.store.history import History, utcnow
from coach.store.rows import ExerciseResultRow, PainRow, SessionRow

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
METRICS_SYSTEM = "https://rehabcoach.example/fhir/CodeSystem/exercise-metrics"
EXERCISE_SYSTEM = "https://rehabcoach.example/fhir/CodeSystem/exercise"
SESSION_ID_SYSTEM = "https://rehabcoach.example/fhir/NamingSystem/session"
ROUTINE_ID_SYSTEM = "https://rehabcoach.example/fhir/NamingSystem/routine"
ROUTINE_VERSION_EXT = "https://rehabcoach.example/fhir/StructureDefinition/routine-version"
PATIENT_ID_SYSTEM = "https://rehabcoach.example/fhir/NamingSystem/patient-id"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
_NS = uuid.UUID("0f6c8e0a-7d3b-4c1e-9a51-3b2f6c1d9e77")  # stable ids: same data, same Bundle


# ---------------------------------------------------------------------------------------------
# FHIR


def _uid(*parts: object) -> str:
    return f"urn:uuid:{uuid.uuid5(_NS, '/'.join(str(p) for p in parts))}"


def _qty(value: float, unit: str, code: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": code}


def _metric(
    code: str, display: str, value: float, unit: str = "count", ucum: str = "1"
) -> dict[str, Any]:
    return {
        "code": {"coding": [{"system": METRICS_SYSTEM, "code": code, "display": display}]},
        "valueQuantity": _qty(value, unit, ucum),
    }


def _id_system(key: str) -> str:
    """An identifier system URI for a routine's ``external_ids`` key (``clinic``, ``nhs``...);
    a key that already is a URI (``https://fhir.nhs.uk/Id/nhs-number``) is used as it is."""
    if re.match(r"^(https?://|urn:)\S+$", key):
        return key
    return f"{PATIENT_ID_SYSTEM}/{quote(key, safe='')}"


def _patient_resource(routine: Any, patient_name: str | None) -> dict[str, Any]:
    """The ``Patient``: the routine file's patient (name, year of birth, identifiers); a
    ``patient_name`` given for the export replaces the name."""
    patient: dict[str, Any] = {"resourceType": "Patient", "active": True}
    p = getattr(routine, "patient", None) if routine is not None else None
    if p is not None and p.external_ids:
        patient["identifier"] = [
            {"system": _id_system(k), "value": v, "type": {"text": k}}
            for k, v in p.external_ids.items()
        ]
    name = patient_name or (p.display_name if p is not None else None)
    if name:
        patient["name"] = [{"text": name}]
    if p is not None and p.birth_year is not None:
        patient["birthDate"] = f"{p.birth_year:04d}"  # a FHIR date may be a year alone
    return patient


def _patient_url(patient: dict[str, Any], patient_name: str | None) -> str:
    """A stable ``fullUrl`` for the ``Patient``: from its name and identifiers when it has
    identifiers, else from the name (or ``anonymous``)."""
    return _uid(
        "patient",
        json.dumps([patient.get("name"), patient.get("identifier")], sort_keys=True)
        if "identifier" in patient
        else (patient_name or (patient["name"][0]["text"] if "name" in patient else "anonymous")),
    )


def _device_resource(app_version: str) -> dict[str, Any]:
    """The ``Device``: this app and its version, with the disclaimer as a note."""
    return {
        "resourceType": "Device",
        "deviceName": [{"name": "coach", "type": "manufacturer-name"}],
        "version": [{"value": app_version}],
        "note": [{"text": DISCLAIMER}],
    }


def _careplan_resource(s: SessionRow, subject: dict[str, Any], routine: Any) -> dict[str, Any]:
    """The ``CarePlan`` of a session's routine and version; the title from ``routine`` when it
    is the same routine."""
    named = routine.title if routine is not None and routine.id == s.routine_id else None
    plan: dict[str, Any] = {
        "resourceType": "CarePlan",
        "status": "active",
        "intent": "plan",
        "subject": subject,
        # the business identifier is the routine's own id; its version is an extension
        "identifier": [{"system": ROUTINE_ID_SYSTEM, "value": s.routine_id}],
        "title": (named or f"Home exercise routine {s.routine_id}")
        + (f" (version {s.routine_version})" if s.routine_version else ""),
    }
    if s.routine_version is not None:
        plan["extension"] = [{"url": ROUTINE_VERSION_EXT, "valueInteger": int(s.routine_version)}]
    return plan


def _encounter_resource(s: SessionRow, subject: dict[str, Any]) -> dict[str, Any]:
    """The ``Encounter`` of a session: home health, its period the session's."""
    period = {
        "start": s.started_at.isoformat(),
        **({"end": s.ended_at.isoformat()} if s.ended_at else {}),
    }
    return {
        "resourceType": "Encounter",
        "status": "finished" if s.status != "in_progress" else "in-progress",
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "HH",
            "display": "home health",
        },
        "identifier": [{"system": SESSION_ID_SYSTEM, "value": s.id}],
        "subject": subject,
        "period": period,
    }


def _exercise_components(history: History, er: ExerciseResultRow) -> list[dict[str, Any]]:
    """The components of an exercise ``Observation``: counts, plan, mean range, each fault."""
    comps = [
        _metric("reps-counted", "Repetitions counted", int(er.reps or 0)),
        _metric("reps-partial", "Partial repetitions", int(er.partial_reps or 0)),
        _metric("holds-count", "Holds completed", int(er.holds or 0)),
        _metric(
            "hold-seconds-total",
            "Seconds held in position",
            round(float(er.hold_s_total or 0.0), 2),
            "s",
            "s",
        ),
    ]
    if er.sets_planned is not None:
        comps.append(_metric("sets-planned", "Sets planned", er.sets_planned))
    if er.reps_planned is not None:
        comps.append(_metric("reps-planned", "Repetitions planned per set", er.reps_planned))
    ranges = [r.range_deg for r in history.reps(er.id) if r.range_deg is not None]
    if ranges:
        comps.append(
            _metric(
                "range-deg-mean",
                "Mean range of motion",
                round(sum(ranges) / len(ranges), 1),
                "deg",
                "deg",
            )
        )
    for f in history.faults(er.id):
        comps.append(_metric(f"fault:{f.fault_id}", f.cue or f.fault_id, f.count))
    return comps


def _exercise_observation(
    history: History, er: ExerciseResultRow, common: dict[str, Any]
) -> dict[str, Any]:
    """The ``Observation`` of one exercise performed (LOINC 73985-4 plus the exercise id)."""
    eff: dict[str, Any] = {"start": er.started_at.isoformat()}
    if er.ended_at:
        eff["end"] = er.ended_at.isoformat()
    return {
        "resourceType": "Observation",
        "status": "final" if er.ended_at else "preliminary",
        "category": [
            {
                "coding": [
                    {
                        "system": OBS_CATEGORY,
                        "code": "activity",
                        "display": "Activity",
                    }
                ]
            }
        ],
        "code": {
            "coding": [
                {
                    "system": LOINC,
                    "code": "73985-4",
                    "display": "Exercise activity",
                },
                {"system": EXERCISE_SYSTEM, "code": er.exercise_id},
            ],
            "text": er.exercise_id.replace("_", " "),
        },
        "effectivePeriod": eff,
        "component": _exercise_components(history, er),
        **common,
    }


def _pain_observation(p: PainRow, names: dict[int, str], common: dict[str, Any]) -> dict[str, Any]:
    """The ``Observation`` of one pain rating (LOINC 72514-3), with its context, "spreading
    down the leg", stiffness and the exercise it followed as components."""
    comps = [
        {
            "code": {"coding": [{"system": METRICS_SYSTEM, "code": "pain-context"}]},
            "valueString": p.context,
        },
        {
            "code": {"coding": [{"system": METRICS_SYSTEM, "code": "spreading-down-leg"}]},
            "valueBoolean": p.spreading_down_leg,
        },
    ]
    if p.stiffness is not None:
        comps.append(_metric("stiffness", "Stiffness 0-10", p.stiffness, "{score}", "{score}"))
    if p.exercise_result_id in names:
        comps.append(
            {
                "code": {"coding": [{"system": METRICS_SYSTEM, "code": "after-exercise"}]},
                "valueString": names[p.exercise_result_id],
            }
        )
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": OBS_CATEGORY, "code": "survey", "display": "Survey"}]}],
        "code": {
            "coding": [
                {
                    "system": LOINC,
                    "code": "72514-3",
                    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
                }
            ]
        },
        "effectiveDateTime": p.recorded_at.isoformat(),
        "valueQuantity": _qty(p.value, "{score}", "{score}"),
        "component": comps,
        **common,
    }


def _session_entries(
    history: History,
    s: SessionRow,
    routine: Any,
    subject: dict[str, Any],
    device_url: str,
    careplans: dict[tuple[str | None, int | None], str],
) -> list[dict[str, Any]]:
    """A session's entries: its CarePlan the first time its routine and version appear (noted
    in ``careplans``), its Encounter, one Observation per exercise and one per pain rating."""
    entries: list[dict[str, Any]] = []
    key = (s.routine_id, s.routine_version)
    if key not in careplans and s.routine_id:
        careplans[key] = _uid("careplan", *key)
        entries.append(
            {"fullUrl": careplans[key], "resource": _careplan_resource(s, subject, routine)}
        )
    enc_url = _uid("encounter", s.id)
    entries.append({"fullUrl": enc_url, "resource": _encounter_resource(s, subject)})
    common: dict[str, Any] = {
        "subject": subject,
        "encounter": {"reference": enc_url},
        "device": {"reference": device_url},
    }
    if key in careplans:
        common["basedOn"] = [{"reference": careplans[key]}]
    pains = history.pain_ratings(s.id)
    results = history.exercise_results(s.id)
    for er in results:
        entries.append(
            {
                "fullUrl": _uid("exercise", s.id, er.id),
                "resource": _exercise_observation(history, er, common),
            }
        )
    names = {er.id: er.exercise_id for er in results}
    for p in pains:
        entries.append(
            {
                "fullUrl": _uid("pain", p.id, p.recorded_at.isoformat()),
                "resource": _pain_observation(p, names, common),
            }
        )
    return entries


def fhir_bundle(
    history: History,
    date_from: date | None = None,
    date_to: date | None = None,
    *,
    patient_name: str | None = None,
    routine: Any = None,
) -> Any:
    """A FHIR R4 ``Bundle`` (a validated ``fhir.resources`` model) of the sessions in range.

    ``routine`` (a ``Routine`` or ``ResolvedRoutine``) gives the ``Patient`` its name, year of
    birth and identifiers, and its CarePlan its title. Entries in order: Patient, Device, then
    per session its CarePlan (the first time its routine and version appear), Encounter, one
    Observation per exercise and one per pain rating.

    Raises
    ------
    pydantic.ValidationError
        Never for data this module wrote; it would mean a mapping bug.
    """
    from fhir.resources.R4B.bundle import Bundle

    app_version = _app_version()
    r = getattr(routine, "routine", routine)
    patient = _patient_resource(r, patient_name)
    patient_url = _patient_url(patient, patient_name)
    device_url = _uid("device", "coach", app_version)
    entries: list[dict[str, Any]] = [
        {"fullUrl": patient_url, "resource": patient},
        {"fullUrl": device_url, "resource": _device_resource(app_version)},
    ]
    subject = {"reference": patient_url}
    careplans: dict[tuple[str | None, int | None], str] = {}
    for s in history.sessions(date_from, date_to):
        entries += _session_entries(history, s, r, subject, device_url, careplans)
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": utcnow().isoformat(),
            "meta": {
                "tag": [
                    {
                        "system": METRICS_SYSTEM,
                        "code": "not-for-diagnosis",
                        "display": "Not a diagnosis; see Device.note",
                    }
                ]
            },
            "entry": entries,
        }
    )


def export_fhir(
    history: History,
    path: str | Path,
    date_from: date | None = None,
    date_to: date | None = None,
    *,
    patient_name: str | None = None,
    routine: Any = None,
) -> Path:
    """Write :func:`fhir_bundle` as JSON to ``path``; returns it once it reads back.

    Raises
    ------
    OSError
        ``path`` is a folder (:class:`IsADirectoryError`: it needs a file name), cannot be
        written, or does not read back as the same Bundle (:class:`ExportError`).
    """
    p = Path(path)
    if p.is_dir():
        raise IsADirectoryError(
            errno.EISDIR,
            f"it is a folder; give the FHIR Bundle a file name, e.g. {p / 'coach-fhir.json'}",
            str(p),
        )
    bundle = fhir_bundle(history, date_from, date_to, patient_name=patient_name, routine=routine)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp(p)
    try:
        tmp.write_text(bundle.model_dump_json(indent=2) + "\n", encoding="utf-8")
        _verify_fhir(tmp, bundle)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return _replace(tmp, p)


def _verify_fhir(path: Path, bundle: Any) -> None:
    """The file parses back, validates as a FHIR Bundle and holds every entry written."""
    from fhir.resources.R4B.bundle import Bundle

    try:
        back = Bundle.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, ValueError) as exc:
        raise _unreadable(path, str(exc).splitlines()[0]) from None
    if [e.fullUrl for e in back.entry or []] != [e.fullUrl for e in bundle.entry or []]:
        raise _unreadable(path, "it holds different entries")
