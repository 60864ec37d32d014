"""Accuracy against people's counts: ``coach evaluate``.

Every clip of the shared footage folder is scored as ``MANIFEST.tsv`` says: the ``exercise``
column names what the clip shows (a catalogue id, ``posture``, ``lifting`` or ``none``;
``hip_hinge_drill;lifting`` means both), ``reps`` the count a person made (``-`` for none) and
``holds_s`` the seconds held in view (``;`` between holds). Nothing about the clips is written in
code, so a clip added to the manifest is evaluated without a code change.

* a catalogue exercise with a rep count -> a rep row (counted vs expected);
* a catalogue exercise with holds -> a hold row (every hold within +-1 s);
* ``lifting`` with a rep count -> the lifts ``coach analyze --lifting`` finds;
* ``none`` -> no person may be found;
* ``posture`` and exercises with neither count nor holds are listed as not scored.

``--tracks DIR`` keeps the landmark tracks (numbers, ``DIR/<clip stem>.npz``) so a second run
re-scores in seconds without the pose model.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from coach.core.engine import ExerciseReport
from coach.devtools.media import media_dir

HOLD_TOLERANCE_S = 1.0


@dataclass(frozen=True)
class ClipSpec:
    """One manifest row, as the evaluator reads it."""

    file: str
    exercises: tuple[str, ...]
    reps: int | None
    holds: tuple[float, ...]


@dataclass
class Row:
    clip: str
    exercise: str
    mode: str  # "reps", "hold", "lifting", "none", "skipped"
    expected_reps: int | None = None
    reps: int | None = None
    expected_holds: tuple[float, ...] = ()
    holds: list[float] = field(default_factory=list)
    not_visible_s: float = 0.0
    pose_ratio: float = 0.0
    note: str = ""

    @property
    def scored(self) -> bool:
        return self.mode in ("reps", "hold", "lifting", "none")

    @property
    def exact(self) -> bool:
        if self.mode in ("reps", "lifting"):
            return self.reps == self.expected_reps
        if self.mode == "hold":
            return len(self.holds) == len(self.expected_holds) and all(
                abs(a - b) <= HOLD_TOLERANCE_S for a, b in zip(self.holds, self.expected_holds)
            )
        if self.mode == "none":
            return self.pose_ratio == 0.0
        return False

    @property
    def within_one(self) -> bool:
        if (
            self.mode in ("reps", "lifting")
            and self.reps is not None
            and self.expected_reps is not None
        ):
            return abs(self.reps - self.expected_reps) <= 1
        return self.exact

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["expected_holds"] = list(self.expected_holds)
        d.update(
            scored=self.scored,
            exact=self.exact if self.scored else None,
            within_one=self.within_one if self.scored else None,
        )
        return d


class ManifestError(ValueError):
    """The manifest cannot be read; the message is one line for the user."""


def _parse_holds(text: str, file: str) -> tuple[float, ...]:
    text = (text or "").strip()
    if not text or text == "-":
        return ()
    try:
        return tuple(float(x) for x in text.split(";") if x.strip())
    except ValueError:
        raise ManifestError(
            f"MANIFEST.tsv: {file}: holds_s '{text}' is not a ';'-separated list of seconds"
        ) from None


def read_manifest(media: Path) -> list[ClipSpec]:
    """The clips of ``media/MANIFEST.tsv`` (columns ``file``, ``exercise``, ``reps``, ``holds_s``)."""
    path = media / "MANIFEST.tsv"
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
    except OSError as exc:
        raise ManifestError(f"{path}: {exc.strerror or exc}") from None
    if not rows:
        return []
    missing = {"file", "exercise", "reps"} - set(rows[0])
    if missing:
        raise ManifestError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    out = []
    for r in rows:
        file = (r.get("file") or "").strip()
        if not file:
            continue
        reps_txt = (r.get("reps") or "").strip()
        reps = int(reps_txt) if reps_txt.isdigit() else None
        exercises = tuple(x.strip() for x in (r.get("exercise") or "").split(";") if x.strip())
        out.append(ClipSpec(file, exercises, reps, _parse_holds(r.get("holds_s") or "", file)))
    return out


Loader = Callable[[Path], tuple[Any, Any]]


def cached_loader(tracks: Path, load: Loader | None = None) -> Loader:
    """Track a clip once and keep its landmarks in ``tracks``; later runs replay them."""
    from coach.analysis import load_input

    base = load or load_input
    tracks.mkdir(parents=True, exist_ok=True)

    def loader(clip: Path) -> tuple[Any, Any]:
        cached = tracks / f"{clip.stem}.npz"
        if cached.exists():
            return load_input(cached)
        track, stats = base(clip)
        track.save(cached)
        return track, stats

    return loader


def evaluate(
    media: Path, progress: bool = False, loader: Loader | None = None, only: set[str] | None = None
) -> list[Row]:
    """Score every clip of the manifest; ``loader`` (default: track with the model) gives one
    clip's landmark track and tracking stats."""
    from coach.analysis import load_input, score_track
    from coach.routines.catalogue import load_catalogue

    load = loader or load_input
    cat = load_catalogue()
    rows: list[Row] = []
    for spec in read_manifest(media):
        if only and spec.file not in only and Path(spec.file).stem not in only:
            continue
        wanted = [e for e in spec.exercises if e != "posture"]
        if not wanted or not (media / spec.file).exists():
            why = (
                "posture clip: see coach analyze --posture"
                if spec.exercises
                else "no exercise given"
            )
            if not (media / spec.file).exists():
                why = "file missing"
            rows.extend(Row(spec.file, e, "skipped", note=why) for e in (spec.exercises or ("-",)))
            continue
        if progress:
            print(f"  {spec.file} ...", file=sys.stderr, flush=True)
        track, stats = load(media / spec.file)
        ratio = stats.frames_with_pose / max(1, stats.frames)
        for ex_id in spec.exercises:
            if ex_id == "posture":
                rows.append(
                    Row(
                        spec.file,
                        ex_id,
                        "skipped",
                        pose_ratio=ratio,
                        note="posture clip: see coach analyze --posture",
                    )
                )
            elif ex_id == "none":
                rows.append(Row(spec.file, ex_id, "none", pose_ratio=ratio))
            elif ex_id == "lifting":
                rows.append(_lifting_row(spec, track, ratio))
            else:
                try:
                    exercise = cat.get(ex_id)
                except KeyError:
                    rows.append(Row(spec.file, ex_id, "skipped", note="not in the catalogue"))
                    continue
                rows.append(_exercise_row(spec, ex_id, score_track(track, exercise), ratio))
    return rows


def _lifting_row(spec: ClipSpec, track: Any, ratio: float) -> Row:
    """The lifts counted in ``track`` against the manifest's count (skipped when it has none)."""
    from coach.analysis.lifting import analyze_lifting

    lifts = analyze_lifting(track).count
    if spec.reps is None:
        return Row(
            spec.file,
            "lifting",
            "skipped",
            reps=lifts,
            pose_ratio=ratio,
            note="no lift count given",
        )
    return Row(spec.file, "lifting", "lifting", spec.reps, lifts, pose_ratio=ratio)


def _exercise_row(spec: ClipSpec, ex_id: str, report: ExerciseReport, ratio: float) -> Row:
    """One exercise's scoring ``report`` against the manifest's reps or holds."""
    nv = report.not_visible_s
    if spec.reps is not None:
        return Row(
            spec.file,
            ex_id,
            "reps",
            spec.reps,
            report.reps,
            not_visible_s=nv,
            pose_ratio=ratio,
        )
    if spec.holds:
        return Row(
            spec.file,
            ex_id,
            "hold",
            expected_holds=spec.holds,
            holds=report.holds,
            not_visible_s=nv,
            pose_ratio=ratio,
        )
    return Row(
        spec.file,
        ex_id,
        "skipped",
        reps=report.reps,
        holds=report.holds,
        not_visible_s=nv,
        pose_ratio=ratio,
        note="no count or holds in the manifest",
    )


def summary(rows: list[Row]) -> dict[str, dict[str, int]]:
    """Per exercise (scored rows only): clips, exact, within one."""
    out: dict[str, dict[str, int]] = {}
    for r in rows:
        if not r.scored:
            continue
        s = out.setdefault(r.exercise, {"clips": 0, "exact": 0, "within_one": 0})
        s["clips"] += 1
        s["exact"] += r.exact
        s["within_one"] += r.within_one
    return dict(sorted(out.items()))


def totals(rows: list[Row]) -> dict[str, int]:
    rep = [r for r in rows if r.mode in ("reps", "lifting")]
    hold = [r for r in rows if r.mode == "hold"]
    return {
        "rep_clips": len(rep),
        "rep_exact": sum(r.exact for r in rep),
        "rep_within_one": sum(r.within_one for r in rep),
        "hold_clips": len(hold),
        "hold_within_1s": sum(r.exact for r in hold),
        "skipped": sum(not r.scored for r in rows),
    }


def _cells(r: Row) -> tuple[str, str]:
    if r.mode in ("reps", "lifting"):
        unit = "lifts" if r.mode == "lifting" else "reps"
        return f"{r.expected_reps} {unit}", f"{r.reps} {unit}"
    if r.mode == "hold":
        coach = " + ".join(f"{h:.1f} s" for h in r.holds) or "no hold"
        if r.not_visible_s:
            coach += f" (paused {r.not_visible_s:.1f} s)"
        return " + ".join(f"{h:.1f} s" for h in r.expected_holds) + " held", coach
    if r.mode == "none":
        return (
            "no person",
            "no person" if r.pose_ratio == 0 else f"person on {r.pose_ratio:.0%} of frames",
        )
    return "-", r.note


def markdown_table(rows: list[Row]) -> str:
    lines = [
        "| clip | exercise | counted by a person | counted by coach | match |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        person, coach = _cells(r)
        match = (
            ("exact" if r.exact else "±1" if r.within_one else "**miss**")
            if r.scored
            else "not scored"
        )
        lines.append(f"| {r.clip} | {r.exercise} | {person} | {coach} | {match} |")
    lines += ["", "| exercise | clips | exact | within one |", "|---|---|---|---|"]
    for ex, s in summary(rows).items():
        lines.append(f"| {ex} | {s['clips']} | {s['exact']} | {s['within_one']} |")
    t = totals(rows)
    pct = (100.0 * t["rep_exact"] / t["rep_clips"]) if t["rep_clips"] else 0.0
    lines += [
        "",
        f"Rep clips: {t['rep_exact']}/{t['rep_clips']} exact ({pct:.0f} %), "
        f"{t['rep_within_one']}/{t['rep_clips']} within ±1. Hold clips: {t['hold_within_1s']}/"
        f"{t['hold_clips']} with every hold within ±1 s. Not scored: {t['skipped']}.",
    ]
    return "\n".join(lines)


def _cmd(args: argparse.Namespace) -> int:
    media = Path(args.media)
    if not (media / "MANIFEST.tsv").is_file():
        print(f"coach: {media}: no MANIFEST.tsv here", file=sys.stderr)
        return 2
    loader = cached_loader(Path(args.tracks)) if args.tracks else None
    try:
        rows = evaluate(media, progress=not args.json, loader=loader, only=set(args.clip) or None)
    except ManifestError as exc:
        print(f"coach: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(
            json.dumps(
                {
                    "clips": [r.as_dict() for r in rows],
                    "by_exercise": summary(rows),
                    "totals": totals(rows),
                },
                indent=2,
            )
        )
    else:
        print(markdown_table(rows))
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "evaluate", help="accuracy on the shared footage (reps and holds vs people's counts)"
    )
    default = media_dir()
    p.add_argument("--media", default=str(default), help="folder with MANIFEST.tsv and the clips")
    p.add_argument(
        "--tracks", metavar="DIR", help="keep landmark tracks here and replay them on later runs"
    )
    p.add_argument("clip", nargs="*", help="only these clips (file name or stem)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd)
