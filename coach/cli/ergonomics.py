"""``coach ergonomics {rula,reba,niosh}``: the ergonomic worksheets from the command line.

Each subcommand takes the worksheet inputs as options (``--upper-arm 45 --shoulder-raised``)
or as a JSON document with the same field names (``--input FILE.json``, ``-`` for stdin);
options given on the command line override values from the file. The output is a readable
worksheet with every intermediate value, or ``--json`` for machine output::

    {"method": "rula", "input": {...}, "result": {...}}

Handlers follow the CLI convention: ``args.func(args) -> int``; bad input prints one line to
stderr and returns 2 (no traceback).

Wire into the main parser with::

    from coach.cli import ergonomics
    ergonomics.add_parser(subparsers)
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Callable
from typing import Any, TextIO

from coach.core.ergonomics import (
    NIOSH_CM_TABLE,
    REBA_COUPLINGS,
    NioshInput,
    NioshResult,
    RebaInput,
    RebaResult,
    RulaInput,
    RulaResult,
    compute_niosh,
    compute_reba,
    compute_rula,
    from_dict,
)
from coach.core.ergonomics import (
    to_dict as _dataclass_to_dict,
)

__all__ = ["add_parser", "handle_niosh", "handle_reba", "handle_rula", "to_dict"]

# Help text per field; the option is ``--`` + the field name with dashes.
_HELP: dict[str, str] = {
    # RULA / REBA angles
    "upper_arm": "upper-arm flexion, degrees (negative = extension)",
    "lower_arm": "elbow flexion, degrees (0 = straight)",
    "wrist": "wrist flexion/extension, degrees (omit if not observed: webcam default)",
    "neck": "neck flexion, degrees (negative = extension)",
    "trunk": "trunk flexion from vertical, degrees (negative = reclined/extended)",
    "knee_flex": "knee flexion, degrees (omit if not observed)",
    # RULA adjustments
    "shoulder_raised": "shoulder raised (+1)",
    "arm_abducted": "upper arm abducted (+1)",
    "arm_supported": "arm supported or person leaning (-1)",
    "arm_across_midline_or_out": "lower arm working across the midline or out to the side (+1)",
    "wrist_deviated": "wrist bent from the midline (+1)",
    "wrist_twist_end_range": "wrist twist at or near the end of its range",
    "muscle_use_a": "arm/wrist posture static > 1 min or repeated >= 4x/min (+1)",
    "muscle_use_b": "neck/trunk/legs posture static > 1 min or repeated >= 4x/min (+1)",
    "force_a": "arm/wrist force/load score 0-3",
    "force_b": "neck/trunk/legs force/load score 0-3",
    "neck_twisted": "neck twisted (+1)",
    "neck_side_bent": "neck side-bending (+1)",
    "trunk_twisted": "trunk twisted (+1)",
    "trunk_side_bent": "trunk side-bending (+1)",
    "trunk_supported": "sitting well supported with hip-trunk angle >= 90 degrees (trunk 1)",
    "legs_supported": "legs and feet supported, weight even",
    # REBA
    "legs_unilateral": "unilateral/feather weight-bearing or unstable posture",
    "sitting": "seated (no +2 for knees > 60 degrees)",
    "load_kg": "load or force, kg",
    "shock": "shock or rapid build-up of force (+1)",
    "arm_rotated": "upper arm rotated (+1 with abducted, once)",
    "wrist_twisted": "wrist twisted (+1 with deviated, once)",
    "static_posture": "one or more body parts held > 1 min (+1)",
    "repeated_actions": "repeated small-range actions > 4x/min (+1)",
    "rapid_changes": "rapid large-range posture changes or unstable base (+1)",
    # NIOSH
    "h_cm": "horizontal hand distance from the mid-point of the inner ankles, cm",
    "v_cm": "vertical hand height above the floor at the origin, cm",
    "d_cm": "vertical travel distance, cm",
    "a_deg": "asymmetry (twist) angle, degrees",
    "frequency_per_min": "lifts per minute (15-min average)",
    "duration": "short | moderate | long, or hours",
    "coupling": "hand coupling",
}


def _duration(text: str) -> str | float:
    """A duration option: a number of hours, or a category name (validated later)."""
    try:
        return float(text)
    except ValueError:
        return text


_METAVARS = {"load_kg": "KG", "h_cm": "CM", "v_cm": "CM", "d_cm": "CM", "frequency_per_min": "F"}


def _add_field_options(parser: argparse.ArgumentParser, cls: type[Any]) -> None:
    """One option per dataclass field; unset options stay out of the namespace, so values
    from ``--input`` are only overridden by options actually given."""
    for f in dataclasses.fields(cls):
        help_text = _HELP.get(f.name, f.name)
        if f.default is dataclasses.MISSING:
            help_text += " (required unless in --input)"
        elif f.type == "bool":
            help_text += " (default: yes)" if f.default else ""
        elif f.default is not None:
            help_text += f" (default: {f.default})"
        kwargs: dict[str, Any] = {"dest": f.name, "default": argparse.SUPPRESS, "help": help_text}
        if f.type == "bool":
            kwargs["action"] = argparse.BooleanOptionalAction
        elif f.type in ("float", "float | None"):
            kwargs["type"] = float
            kwargs["metavar"] = _METAVARS.get(f.name, "DEG")
        elif f.type == "int":
            kwargs["type"] = int
            kwargs["choices"] = range(4)
            kwargs["metavar"] = "{0-3}"
        elif f.type == "str | float":
            kwargs["type"] = _duration
            kwargs["metavar"] = "DURATION"
        elif f.name == "coupling":
            kwargs["choices"] = list(REBA_COUPLINGS if cls is RebaInput else NIOSH_CM_TABLE)
        parser.add_argument("--" + f.name.replace("_", "-"), **kwargs)


def add_parser(subparsers: Any) -> None:
    """Register ``ergonomics`` with subcommands ``rula``, ``reba`` and ``niosh``.

    Parameters
    ----------
    subparsers
        The object returned by ``ArgumentParser.add_subparsers()``.
    """
    erg = subparsers.add_parser(
        "ergonomics",
        help="RULA, REBA and NIOSH lifting worksheets",
        description="Score an ergonomic worksheet from options or a JSON file.",
    )
    sub = erg.add_subparsers(dest="ergonomics_method", metavar="METHOD", required=True)
    specs: tuple[tuple[str, type[Any], Callable[[argparse.Namespace], int], str], ...] = (
        ("rula", RulaInput, handle_rula, "Rapid Upper Limb Assessment (McAtamney & Corlett 1993)"),
        ("reba", RebaInput, handle_reba, "Rapid Entire Body Assessment (Hignett & McAtamney 2000)"),
        ("niosh", NioshInput, handle_niosh, "revised NIOSH lifting equation (Waters et al. 1993)"),
    )
    for name, cls, handler, title in specs:
        p = sub.add_parser(name, help=title, description=f"{title}. Angles in degrees.")
        p.add_argument(
            "--input",
            metavar="FILE",
            help="JSON object with the same field names ('-' = stdin); options override it",
        )
        p.add_argument("--json", action="store_true", help="print machine-readable JSON")
        _add_field_options(p, cls)
        p.set_defaults(func=handler)


def to_dict(result: Any) -> dict[str, Any]:
    """JSON-ready dict of an ergonomics input or result (tuples → lists, inf → None)."""
    return _dataclass_to_dict(result)


# ---------------------------------------------------------------------------------------------
# Handlers
# ---------------------------------------------------------------------------------------------


class _InputError(Exception):
    """Bad user input: reported as one line, exit code 2."""


def _read_json(path: str) -> dict[str, Any]:
    where = "stdin" if path == "-" else path
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
    except OSError as exc:
        raise _InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _InputError(f"invalid JSON in {where}: {exc}") from None
    if not isinstance(data, dict):
        raise _InputError(f"{where} must hold a JSON object, got {type(data).__name__}")
    return data


def _build_input(args: argparse.Namespace, cls: type[Any]) -> Any:
    data: dict[str, Any] = {}
    if getattr(args, "input", None):
        data.update(_read_json(args.input))
    for f in dataclasses.fields(cls):
        if hasattr(args, f.name):
            data[f.name] = getattr(args, f.name)
    try:
        return from_dict(cls, data)
    except ValueError as exc:
        raise _InputError(str(exc)) from None


def _emit(text: str, stream: TextIO) -> None:
    try:
        print(text, file=stream)
    except UnicodeEncodeError:
        # A console that cannot show "°" or "≤" still gets the numbers.
        enc = getattr(stream, "encoding", None) or "ascii"
        print(text.encode(enc, "replace").decode(enc), file=stream)


def _run(
    args: argparse.Namespace,
    method: str,
    cls: type[Any],
    compute: Callable[[Any], Any],
    render: Callable[[Any, Any], str],
) -> int:
    try:
        inp = _build_input(args, cls)
        result = compute(inp)
    except (_InputError, ValueError) as exc:
        _emit(f"coach ergonomics {method}: error: {exc}", sys.stderr)
        return 2
    if getattr(args, "json", False):
        doc = {"method": method, "input": to_dict(inp), "result": to_dict(result)}
        _emit(json.dumps(doc, indent=2), sys.stdout)
    else:
        _emit(render(inp, result), sys.stdout)
    return 0


def handle_rula(args: argparse.Namespace) -> int:
    """``coach ergonomics rula``: print the RULA worksheet; 0 on success, 2 on bad input."""
    return _run(args, "rula", RulaInput, compute_rula, render_rula)


def handle_reba(args: argparse.Namespace) -> int:
    """``coach ergonomics reba``: print the REBA worksheet; 0 on success, 2 on bad input."""
    return _run(args, "reba", RebaInput, compute_reba, render_reba)


def handle_niosh(args: argparse.Namespace) -> int:
    """``coach ergonomics niosh``: print the NIOSH worksheet; 0 on success, 2 on bad input."""
    return _run(args, "niosh", NioshInput, compute_niosh, render_niosh)


# ---------------------------------------------------------------------------------------------
# Worksheet rendering
# ---------------------------------------------------------------------------------------------


def _row(label: str, value: object, note: str = "") -> str:
    line = f"  {label:<34}{value!s:>6}"
    return f"{line}   {note}" if note else line


def _deg(angle: float | None, what: str = "flexion") -> str:
    if angle is None:
        return "not observed (webcam default)"
    if angle < 0:
        return f"{-angle:g}° extension"
    return f"{angle:g}° {what}"


def _with(base: str, *adjustments: tuple[bool, str]) -> str:
    extra = [text for on, text in adjustments if on]
    return ", ".join([base, *extra])


def _drivers(lines: list[str], drivers: tuple[str, ...]) -> None:
    if drivers:
        lines.append("What drives it:")
        lines.extend(f"  - {d}" for d in drivers)
    else:
        lines.append("What drives it: nothing above the neutral posture")


def render_rula(inp: RulaInput, r: RulaResult) -> str:
    """The RULA worksheet as text."""
    lines = [
        "RULA worksheet (McAtamney & Corlett 1993)",
        "A. Arm and wrist",
        _row(
            "Upper arm",
            r.upper_arm,
            _with(
                _deg(inp.upper_arm),
                (inp.shoulder_raised, "+1 shoulder raised"),
                (inp.arm_abducted, "+1 abducted"),
                (inp.arm_supported, "-1 supported/leaning"),
            ),
        ),
        _row(
            "Lower arm",
            r.lower_arm,
            _with(_deg(inp.lower_arm), (inp.arm_across_midline_or_out, "+1 across midline/out")),
        ),
        _row("Wrist", r.wrist, _with(_deg(inp.wrist), (inp.wrist_deviated, "+1 deviated"))),
        _row(
            "Wrist twist",
            r.wrist_twist,
            "end of range" if inp.wrist_twist_end_range else "mid-range",
        ),
        _row("Posture score A (Table A)", r.posture_a),
        _row("+ Muscle use", r.muscle_a),
        _row("+ Force/load", r.force_a),
        _row("= Wrist and arm score (C)", r.score_c, "Table C row capped at 8"),
        "B. Neck, trunk and legs",
        _row(
            "Neck",
            r.neck,
            _with(
                _deg(inp.neck),
                (inp.neck_twisted, "+1 twisted"),
                (inp.neck_side_bent, "+1 side-bent"),
            ),
        ),
        _row(
            "Trunk",
            r.trunk,
            _with(
                "sitting well supported" if inp.trunk_supported else _deg(inp.trunk),
                (inp.trunk_twisted, "+1 twisted"),
                (inp.trunk_side_bent, "+1 side-bent"),
            ),
        ),
        _row("Legs", r.legs, "supported, weight even" if inp.legs_supported else "not supported"),
        _row("Posture score B (Table B)", r.posture_b),
        _row("+ Muscle use", r.muscle_b),
        _row("+ Force/load", r.force_b),
        _row("= Neck, trunk and leg score (D)", r.score_d, "Table C column capped at 7"),
        "",
        _row("Grand score (Table C)", r.grand_score, "1-7"),
        f"Action level {r.action_level}: {r.action}",
    ]
    _drivers(lines, r.drivers)
    return "\n".join(lines)


def render_reba(inp: RebaInput, r: RebaResult) -> str:
    """The REBA worksheet as text."""
    legs_note = "unilateral/unstable" if inp.legs_unilateral else "bilateral"
    if inp.knee_flex is not None:
        legs_note += f", knees {inp.knee_flex:g}° flexion"
    if inp.sitting:
        legs_note += ", sitting"
    lines = [
        "REBA worksheet (Hignett & McAtamney 2000)",
        "A. Trunk, neck and legs",
        _row(
            "Trunk",
            r.trunk,
            _with(
                _deg(inp.trunk), (inp.trunk_twisted or inp.trunk_side_bent, "+1 twisted/side-bent")
            ),
        ),
        _row(
            "Neck",
            r.neck,
            _with(_deg(inp.neck), (inp.neck_twisted or inp.neck_side_bent, "+1 twisted/side-bent")),
        ),
        _row("Legs", r.legs, legs_note),
        _row("Posture score A (Table A)", r.posture_a),
        _row("+ Load/force", r.load, _with(f"{inp.load_kg:g} kg", (inp.shock, "+1 shock"))),
        _row("= Score A", r.score_a),
        "B. Arms and wrists",
        _row(
            "Upper arm",
            r.upper_arm,
            _with(
                _deg(inp.upper_arm),
                (inp.arm_abducted or inp.arm_rotated, "+1 abducted/rotated"),
                (inp.shoulder_raised, "+1 shoulder raised"),
                (inp.arm_supported, "-1 supported/leaning"),
            ),
        ),
        _row("Lower arm", r.lower_arm, _deg(inp.lower_arm)),
        _row(
            "Wrist",
            r.wrist,
            _with(
                _deg(inp.wrist), (inp.wrist_deviated or inp.wrist_twisted, "+1 deviated/twisted")
            ),
        ),
        _row("Posture score B (Table B)", r.posture_b),
        _row("+ Coupling", r.coupling, inp.coupling),
        _row("= Score B", r.score_b),
        "",
        _row("Score C (Table C)", r.score_c),
        _row("+ Activity", r.activity),
        _row("= REBA score", r.reba_score, "1-15"),
        f"Action level {r.action_level} ({r.risk} risk): {r.action}",
    ]
    _drivers(lines, r.drivers)
    return "\n".join(lines)


def render_niosh(inp: NioshInput, r: NioshResult) -> str:
    """The NIOSH lifting worksheet as text."""
    duration = (
        inp.duration
        if isinstance(inp.duration, str)
        else f"{inp.duration:g} h ({r.duration_category})"
    )
    li = "n/a (RWL = 0)" if r.lifting_index == float("inf") else f"{r.lifting_index:.2f}"
    lines = [
        "NIOSH lifting worksheet (revised equation, metric)",
        _row("Load", f"{inp.load_kg:g}", "kg"),
        _row("LC load constant", "23", "kg"),
        _row("HM horizontal", f"{r.hm:.3f}", f"H = {inp.h_cm:g} cm"),
        _row("VM vertical", f"{r.vm:.3f}", f"V = {inp.v_cm:g} cm"),
        _row("DM distance", f"{r.dm:.3f}", f"D = {inp.d_cm:g} cm"),
        _row("AM asymmetry", f"{r.am:.3f}", f"A = {inp.a_deg:g}°"),
        _row("FM frequency", f"{r.fm:.3f}", f"F = {inp.frequency_per_min:g}/min, {duration}"),
        _row("CM coupling", f"{r.cm:.3f}", inp.coupling),
        _row(
            "RWL recommended weight limit",
            f"{r.rwl_kg:.2f}",
            "kg = LC x HM x VM x DM x AM x FM x CM",
        ),
        _row("LI = load / RWL", li),
        r.interpretation,
    ]
    if r.drivers:
        lines.append("Limiting factors:")
        lines.extend(f"  - {d}" for d in r.drivers)
    if r.notes:
        lines.append("Notes:")
        lines.extend(f"  - {n}" for n in r.notes)
    return "\n".join(lines)
