"""What a patient is told about a routine file that cannot be used."""

from __future__ import annotations

from dataclasses import dataclass

from coach.routines.yamlio import (
    Problem,
)

# ---------------------------------------------------------------------------------------------
# What a patient is told about a file that cannot be used

_UNREADABLE = (
    "cannot read the file",
    "this is a binary file",
    "the file is not UTF-8",
    "the file must be a YAML mapping",
    "routine and exercise files are at most",
)


@dataclass(frozen=True)
class PatientNotice:
    """A routine file problem in words for the patient, with the therapist's detail behind it.

    ``sentence`` is what the patient reads; ``details`` is every problem exactly as
    ``coach routine check`` prints it (one per line), for the "Details" button; ``line`` is the
    first problem's line (None when the file could not be read at all).
    """

    sentence: str
    details: str
    line: int | None


def patient_notice(problems: list[Problem] | tuple[Problem, ...]) -> PatientNotice:
    """One plain sentence for a patient who opened a routine file that cannot be used."""
    details = "\n".join(str(p) for p in problems)
    if not problems:
        return PatientNotice("This routine file cannot be used.", details, None)
    first = problems[0]
    if any(
        p.message.startswith(_UNREADABLE) or "the file is" in p.message and " MB;" in p.message
        for p in problems
    ):
        return PatientNotice(
            "coach cannot read this file as a routine. Check that it is the file your "
            "physiotherapist gave you, or ask them to send it again.",
            details,
            None,
        )
    if any("written for a newer coach" in p.message for p in problems):
        return PatientNotice(
            "This routine was written for a newer version of coach. Update coach, or ask your "
            "physiotherapist for a file this version can read.",
            details,
            first.line,
        )
    expired = [p for p in problems if p.message.startswith("valid_until: this routine expired on")]
    if expired and len(expired) == len(problems):
        day = expired[0].message.removeprefix("valid_until: this routine expired on ").split(" ")[0]
        return PatientNotice(
            f"This routine ended on {day}, so coach will not run it. Ask your physiotherapist "
            "for an updated routine.",
            details,
            expired[0].line,
        )
    n = len(problems)
    what = "a mistake" if n == 1 else f"{n} mistakes"
    return PatientNotice(
        f"This routine file has {what} in it, so coach cannot use it. Ask your physiotherapist "
        f"to check line {first.line}.",
        details,
        first.line,
    )
