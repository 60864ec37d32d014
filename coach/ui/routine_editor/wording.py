"""The routine editor's problems as plain sentences for the person editing (Qt-free).

``coach routine check`` prints each problem with its file, line and field path
(``blocks.1.items.2.reps: value -5 is out of range — use a value at least 1``); that wording stays
the checker's, and the editor keeps it for its tool tips. What the problem list shows is
:func:`plain_sentence`: the exercise and the field named in words ("Glute bridge in the block
'Core': the number of repetitions is -5, but the least allowed is 1.").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from coach.routines.yaml_edit import BlockState, EditorProblem

#: Field paths (without block and item) in words, as a sentence's subject.
FIELD_WORDS: dict[str, str] = {
    # an exercise in a block
    "exercise": "the exercise",
    "sets": "the number of sets",
    "reps": "the number of repetitions",
    "reps_pattern": "the repetitions per set",
    "hold_s": "the hold time",
    "rest_s": "the rest between sets",
    "duration_s": "the duration",
    "side": "the side",
    "notes": "the notes",
    "thresholds": "the adjusted thresholds",
    "custom": "the custom exercise",
    "items": "the list of exercises",
    "name": "the name",
    # the routine
    "title": "the title",
    "id": "the routine id",
    "version": "the version",
    "author": "the author",
    "author.name": "the author's name",
    "author.role": "the author's role",
    "author.contact": "the author's contact",
    "patient": "the patient",
    "patient.display_name": "the patient's name",
    "patient.birth_year": "the year of birth",
    "patient.external_ids": "the patient identifiers",
    "created": "the 'Created' date",
    "valid_from": "the 'Valid from' date",
    "valid_until": "the 'Valid until' date",
    "blocks": "the blocks",
    "safety": "the safety settings",
    "safety.surgery": "the back surgery",
    "safety.surgery.type": "the type of surgery",
    "safety.surgery.date": "the date of surgery",
    "safety.restrictions": "the movement restrictions",
    "safety.restrictions.no_lifting_kg_over": "the lifting limit",
    "safety.restrictions.until": "the date the restrictions end",
    "safety.pain_rules": "the pain rules",
    "safety.pain_rules.green_max": "the green pain limit",
    "safety.pain_rules.amber_max": "the amber pain limit",
    "safety.pain_rules.relative_rise_amber": "the pain rise that turns amber",
    "safety.pain_rules.next_morning_max": "the next-morning pain limit",
    "safety.pain_rules.next_morning_check": "the next-morning question",
    "safety.clinician_contact": "the clinician contact",
    "schedule": "the schedule",
    "schedule.days": "the exercise days",
    "schedule.days_per_week": "the days per week",
    "schedule.times_per_day": "the times per day",
    "schedule.reminder_time": "the reminder time",
}

#: Key names the checker writes inside its messages and hints, in words.
_KEY_WORDS = {
    "green_max": "the green pain limit",
    "amber_max": "the amber pain limit",
    "next_morning_max": "the next-morning pain limit",
    "relative_rise_amber": "the pain rise that turns amber",
    "valid_until": "the 'Valid until' date",
    "valid_from": "the 'Valid from' date",
    "no_lifting_kg_over": "the lifting limit",
    "hold_s": "the hold time",
    "rest_s": "the rest between sets",
    "duration_s": "the duration",
}

_RANGE = re.compile(r"^value (?P<value>\S+) is out of range$")
_BOUND = re.compile(r"^use a value (?P<word>at least|at most|more than|less than) (?P<bound>\S+)$")
_UNKNOWN_EXERCISE = re.compile(
    r"^unknown exercise '(?P<id>[^']*)'(?:; did you mean '(?P<close>[^']*)'\?)?$"
)
_BOUND_WORDS = {
    "at most": "the most allowed is {b}",
    "at least": "the least allowed is {b}",
    "more than": "it must be more than {b}",
    "less than": "it must be less than {b}",
}
_DOMAIN_REF = re.compile(r"\s*\((?:see )?DOMAIN §[\d.]+\)")


def _field_path(loc: Sequence[Any]) -> str:
    return ".".join(str(p) for p in loc if not (isinstance(p, str) and "[" in p))


def _field_words(path: str) -> str:
    """A field path in words ("the number of sets"); an unknown path is quoted as written."""
    if path in FIELD_WORDS:
        return FIELD_WORDS[path]
    last = path.rsplit(".", 1)[-1]
    return FIELD_WORDS.get(last, f"'{path}'")


def _split(
    problem: EditorProblem, blocks: Sequence[BlockState], name: Callable[[str], str]
) -> tuple[str, str]:
    """(who the problem is about, the field path inside it): ("Glute bridge in the block
    'Core'", "reps"); ("", "schedule.times_per_day") for a routine-wide field. An item whose
    exercise is not known is named by its place ("exercise 2 in the block 'Core'")."""
    loc = [p for p in problem.loc if not (isinstance(p, str) and "[" in p)]
    if len(loc) >= 2 and loc[0] == "blocks" and isinstance(loc[1], int) and loc[1] < len(blocks):
        block = blocks[loc[1]]
        block_words = f"the block '{block.name}'" if block.name else f"block {loc[1] + 1}"
        rest = loc[2:]
        if len(rest) >= 2 and rest[0] == "items" and isinstance(rest[1], int):
            items = block.items
            eid = items[rest[1]].exercise_id if rest[1] < len(items) else ""
            known = bool(eid) and name(eid) != eid  # the catalogue's or the file's own name
            who = name(eid) if known else f"exercise {rest[1] + 1}"
            return f"{who} in {block_words}", _field_path(rest[2:])
        return block_words[0].upper() + block_words[1:], _field_path(rest)
    return "", _field_path(loc)


def _body(message: str) -> str:
    """The checker's message without its leading field path."""
    head, sep, tail = message.partition(": ")
    if sep and re.fullmatch(r"[A-Za-z_][\w]*(?:\.[\w]+)*", head):
        return tail
    return message


def _words_for_keys(text: str) -> str:
    for key, words in _KEY_WORDS.items():
        text = re.sub(rf"\b{key}\b", words, text)
    return _DOMAIN_REF.sub("", text)


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def plain_sentence(
    problem: EditorProblem, blocks: Sequence[BlockState], name: Callable[[str], str]
) -> str:
    """One problem as a plain sentence naming the exercise and the field in words.

    The checker's ``blocks.0.items.0.sets: value 8 is out of range — use a value at most 6``
    reads "Glute bridge in the block 'Exercises': the number of sets is 8, but the most allowed
    is 6."
    """
    who, path = _split(problem, blocks, name)
    field = _field_words(path) if path else ""
    body = _body(problem.message)
    hint = problem.hint
    about = f"{who}: " if who else ""

    m = _RANGE.match(body)
    b = _BOUND.match(hint)
    if m is not None and field:
        limit = f", but {_BOUND_WORDS[b['word']].format(b=b['bound'])}" if b else " (out of range)"
        return _sentence(f"{about}{field} is {m['value']}{limit}")
    if body == "unknown key":
        key = path.rsplit(".", 1)[-1] if path else "?"
        parent = path.rsplit(".", 1)[0] if "." in path else ""
        where = who or (_field_words(parent) if parent else "the routine")
        guess = re.match(r"^did you mean '([^']*)'\?$", hint)
        tail = f" Did you mean '{guess[1]}'?" if guess else ""
        return f"{_sentence(f'{where} has a setting coach does not know: {key!r}')}{tail}"
    if body == "required field is missing" and field:
        return _sentence(f"{about}{field} is missing; please fill it in")
    if "should have at least 1 character" in body.lower() and field:
        return _sentence(f"{about}{field} is empty; please fill it in")
    u = _UNKNOWN_EXERCISE.match(body)
    if u is not None:
        suggestion = f" Did you mean {name(u['close'])}?" if u["close"] else ""
        return (
            _sentence(f"{about}'{u['id']}' is not an exercise in the catalogue")
            + suggestion
            + " Choose one in the Exercise field."
        )
    if body.endswith("is not in the expected form") and field:
        shown = body.removesuffix(" is not in the expected form")
        extra = (
            ": use letters, digits, '-', '_' and '.' only, starting with a letter or digit"
            if path == "id"
            else ""
        )
        return _sentence(f"{about}{field} {shown} is not in the expected form{extra}")
    if body.endswith("is not allowed") and field and hint.startswith("use one of "):
        shown = body.removesuffix(" is not allowed")
        return _sentence(f"{about}{field} cannot be {shown}; {hint}")
    # Anything else: the checker's own words, its key names in words, under a plain subject
    # (none when the words already start with it: "the green pain limit 8 is above...").
    subject = who or field
    text = _words_for_keys(body)
    if who and text.startswith("this block "):
        text = who + text.removeprefix("this block")
    elif subject and not text.startswith(("this routine ", subject)):
        text = f"{subject}: {text}"
    sentence = _sentence(text)
    if hint and "coach " not in hint and "^" not in hint:
        sentence = f"{sentence[:-1]} — {_words_for_keys(hint)}."
    return sentence
