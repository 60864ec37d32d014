"""First-run screening: PAR-Q+-style general questions and back-pain red flags (DOMAIN §5.2, §5.3).

Qt-free, so the wording and the tier logic are unit-tested and reusable (an "About" screen, a
re-run from Settings, an export). The onboarding page only shows these questions and calls
:func:`evaluate`.

Tiers, highest first (DOMAIN §5.3):

``EMERGENCY``
    Possible signs of nerve compression (cauda equina) or rapidly worsening nerves. Sessions are
    blocked and the advice says what to do *now*: seek emergency care / call the emergency number.
``URGENT``
    Fever, wound problems or a clot after surgery, significant trauma. Sessions are blocked;
    the advice is same-day contact with a doctor or the surgical team.
``SEE_CLINICIAN``
    Things a clinician should review before an exercise programme (history of cancer, weight loss,
    night pain...). Sessions are blocked until reviewed; once reviewed, the user runs the screening
    again (Settings) and the block lifts.
``PARQ``
    A "yes" to a general health question: advice to check with the doctor before starting,
    recorded as ``parq_flagged``. Never a block (DOMAIN §5.2).

No answer is a diagnosis: the advice says what to do, never what the cause is.

A few questions follow up an earlier one (``Question.asked_if``): the post-operative wound,
numbness and headache questions are asked only after "yes" to ``back_surgery``; after "no" they
are not applicable (:func:`applies`): not shown, never unanswered, never a flag. Every other
question, including the fever one (which covers both cases), is asked of everyone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum


class Tier(str, Enum):
    """How urgently a "yes" needs a clinician. Ordered from least to most urgent by :data:`RANK`."""

    NONE = "none"
    PARQ = "parq"
    SEE_CLINICIAN = "see_clinician"
    URGENT = "urgent"
    EMERGENCY = "emergency"


RANK: dict[Tier, int] = {
    Tier.NONE: 0,
    Tier.PARQ: 1,
    Tier.SEE_CLINICIAN: 2,
    Tier.URGENT: 3,
    Tier.EMERGENCY: 4,
}

#: Tiers whose "yes" blocks sessions until the advice has been followed.
BLOCKING: frozenset[Tier] = frozenset({Tier.SEE_CLINICIAN, Tier.URGENT, Tier.EMERGENCY})


@dataclass(frozen=True, slots=True)
class Question:
    """One yes/no question.

    Parameters
    ----------
    id : stable identifier (stored answers and tests refer to it).
    text : the question as shown, in plain words.
    tier : what a "yes" means (see :class:`Tier`).
    group : the screen it belongs to (see :data:`GROUPS`).
    source : the DOMAIN §8 reference keys the question is based on.
    asked_if : the id of an earlier question whose "yes" this one follows up (``None``: asked of
        everyone). A "no" to that question makes this one not applicable (see :func:`applies`).
    """

    id: str
    text: str
    tier: Tier
    group: str
    source: str
    asked_if: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    """A screen of questions with a short, calm introduction."""

    id: str
    title: str
    intro: str


GROUPS: tuple[Group, ...] = (
    Group(
        "general",
        "Your general health",
        "These questions are based on the PAR-Q+, a widely used check before starting exercise. "
        'A "yes" does not stop you using coach; it means you should check with your doctor first.',
    ),
    Group(
        "back",
        "About your back",
        'A few more questions about your back. Again, a "yes" means: check with your doctor or '
        "physiotherapist that this programme is right for you.",
    ),
    Group(
        "emergency",
        "Signs that need medical help straight away",
        "Please answer about how things are now, or any change in the last few days. "
        "These are rare, but they matter.",
    ),
    Group(
        "urgent",
        "Signs that need a doctor today",
        "Please answer about how things are now, or any change in the last few days.",
    ),
    Group(
        "review",
        "Things your clinician should check first",
        'Answer "yes" only if your doctor or physiotherapist does not know about it yet. If they '
        'already know and have said exercise is fine for you, answer "no".',
    ),
)

_P = "PARQ+"
_R = "AHCPR-redflags; CES-lists; HeyNeurosurgeon"
_U = "PeerWell-postop; Sharifi-fusion; Oact-postop; AHCPR-redflags"

QUESTIONS: tuple[Question, ...] = (
    # DOMAIN §5.2: the seven PAR-Q+ general questions (paraphrased).
    Question(
        "parq_heart",
        "Has a doctor ever said you have a heart condition or high blood pressure?",
        Tier.PARQ,
        "general",
        _P,
    ),
    Question(
        "parq_chest_pain",
        "Do you feel pain in your chest at rest, during everyday activities, "
        "or when you are physically active?",
        Tier.PARQ,
        "general",
        _P,
    ),
    Question(
        "parq_dizzy",
        "In the last 12 months, have you lost your balance because of dizziness, "
        "or lost consciousness (fainted)?",
        Tier.PARQ,
        "general",
        _P,
    ),
    Question(
        "parq_chronic",
        "Has a doctor diagnosed another long-term medical condition (other than "
        "heart disease or high blood pressure)?",
        Tier.PARQ,
        "general",
        _P,
    ),
    Question(
        "parq_medication",
        "Do you take medicine prescribed for a long-term medical condition?",
        Tier.PARQ,
        "general",
        _P,
    ),
    Question(
        "parq_bone_joint",
        "Do you have (or have you had in the last 12 months) a bone, joint or "
        "muscle problem that could get worse if you become more active?",
        Tier.PARQ,
        "general",
        _P,
    ),
    Question(
        "parq_supervised",
        "Has a doctor said you should only do physical activity under medical supervision?",
        Tier.PARQ,
        "general",
        _P,
    ),
    # DOMAIN §5.2 back-specific follow-up items, §5.4 post-operative, §5.5 disclaimer item 2.
    Question(
        "back_surgery",
        "Have you had an operation on your back or spine?",
        Tier.PARQ,
        "back",
        "SpineHealth-microD; Sharifi-fusion; Oosterhuis2014",
    ),
    Question(
        "back_spondylolisthesis",
        "Have you been told you have a slipped vertebra "
        "(spondylolisthesis) or a stress fracture in your spine (spondylolysis)?",
        Tier.PARQ,
        "back",
        _P,
    ),
    Question(
        "back_fracture",
        "Have you had a broken bone in your spine, or do you have thin bones (osteoporosis)?",
        Tier.PARQ,
        "back",
        _P,
    ),
    Question(
        "back_injection",
        "Have you had a steroid injection for your back in the last 3 months?",
        Tier.PARQ,
        "back",
        _P,
    ),
    Question(
        "pregnant",
        "Are you pregnant, or have you had a baby in the last 6 months?",
        Tier.PARQ,
        "back",
        "Kaia-IFU; Hinge-manual",
    ),
    # DOMAIN §5.3 EMERGENCY: possible cauda equina syndrome or rapidly worsening nerves.
    Question(
        "rf_bladder",
        "Have you had new problems passing urine: not being able to go, not feeling "
        "when you need to, or leaking?",
        Tier.EMERGENCY,
        "emergency",
        _R,
    ),
    Question(
        "rf_bowel",
        "Have you lost control of your bowels, or lost the feeling that you need to go?",
        Tier.EMERGENCY,
        "emergency",
        _R,
    ),
    Question(
        "rf_saddle",
        "Do you have numbness or pins and needles around your groin, bottom, "
        "genitals or inner thighs?",
        Tier.EMERGENCY,
        "emergency",
        _R,
    ),
    Question(
        "rf_leg_weakness",
        "Do you have new or worsening weakness in a leg, or does your foot drag "
        "or slap when you walk?",
        Tier.EMERGENCY,
        "emergency",
        _R + "; Oact-postop",
    ),
    Question(
        "rf_both_legs",
        "Do you have pain, numbness or tingling going down both legs?",
        Tier.EMERGENCY,
        "emergency",
        _R,
    ),
    Question(
        "rf_sexual",
        "Have you noticed a new loss of feeling or function in your genitals or during sex?",
        Tier.EMERGENCY,
        "emergency",
        _R,
    ),
    # DOMAIN §5.3 URGENT same day.
    Question(
        "rf_fever",
        "Do you have a fever, chills or shivers together with your back pain, "
        "or a temperature of 38 °C (100.4 °F) or more since back surgery?",
        Tier.URGENT,
        "urgent",
        _U,
    ),
    # The wound, numbness and headache questions follow up "yes" to back_surgery (asked on the
    # "back" screen, before this one); the fever, breathing and trauma ones are for everyone.
    Question(
        "rf_wound",
        "Is the wound from your back operation getting redder, more painful, "
        "bleeding, or leaking fluid that is cloudy, coloured or smells?",
        Tier.URGENT,
        "urgent",
        _U,
        asked_if="back_surgery",
    ),
    Question(
        "rf_breathless",
        "Are you short of breath, or do you have chest pain that is new?",
        Tier.URGENT,
        "urgent",
        _U,
    ),
    Question(
        "rf_postop_numb",
        "Since back surgery, have you had sudden new numbness or weakness anywhere?",
        Tier.URGENT,
        "urgent",
        _U,
        asked_if="back_surgery",
    ),
    Question(
        "rf_headache",
        "Since back surgery, have you had a headache that does not go away?",
        Tier.URGENT,
        "urgent",
        _U,
        asked_if="back_surgery",
    ),
    Question(
        "rf_trauma",
        "Did your back pain start or get worse after a fall or accident, or after a "
        "small fall or lifting something if you have thin bones (osteoporosis)?",
        Tier.URGENT,
        "urgent",
        _U,
    ),
    # DOMAIN §5.3 SEE CLINICIAN SOON (not yet reviewed by the clinician).
    Question("rf_cancer", "Have you ever had cancer?", Tier.SEE_CLINICIAN, "review", _R),
    Question(
        "rf_weight_loss",
        "Have you lost weight recently without trying?",
        Tier.SEE_CLINICIAN,
        "review",
        _R,
    ),
    Question(
        "rf_new_pain_age",
        "Are you over 50 or under 20, and did this back pain start in the last 6 weeks?",
        Tier.SEE_CLINICIAN,
        "review",
        _R,
    ),
    Question(
        "rf_night_pain",
        "Is your back pain worse when you lie down, does it wake you at night, "
        "or is it severe and constant whatever you do?",
        Tier.SEE_CLINICIAN,
        "review",
        _R,
    ),
    Question(
        "rf_infection_risk",
        "Is your immune system weakened (for example by long-term steroid "
        "tablets, a transplant or HIV), have you injected drugs, or had a recent infection such "
        "as a urine infection?",
        Tier.SEE_CLINICIAN,
        "review",
        _R,
    ),
    Question(
        "rf_thoracic",
        "Is your pain mainly in your upper back, between the shoulder blades?",
        Tier.SEE_CLINICIAN,
        "review",
        _R,
    ),
    Question(
        "rf_inflammatory",
        "Do you have an inflammatory condition such as ankylosing spondylitis "
        "or rheumatoid arthritis?",
        Tier.SEE_CLINICIAN,
        "review",
        _R,
    ),
    Question(
        "rf_deformity",
        "Has the shape of your spine changed in a way you or others can see?",
        Tier.SEE_CLINICIAN,
        "review",
        _R,
    ),
    Question(
        "rf_widespread",
        "Do you have numbness, tingling or weakness in several places, such as both arms and legs?",
        Tier.SEE_CLINICIAN,
        "review",
        _R,
    ),
)

BY_ID: dict[str, Question] = {q.id: q for q in QUESTIONS}

ADVICE: dict[Tier, str] = {
    Tier.EMERGENCY: (
        "Please seek emergency care now: call your emergency number (for example 999, 911 or 112) "
        "or go to the nearest emergency department, and tell them about your answers. "
        "coach cannot tell what is causing this, but these signs need a doctor to check you straight "
        "away. Exercise sessions are paused."
    ),
    Tier.URGENT: (
        "Please contact your doctor, your surgical team or an urgent care service today and tell them "
        "about your answers. If you have chest pain or trouble breathing right now, call your emergency "
        "number. Exercise sessions are paused until a clinician has checked you."
    ),
    Tier.SEE_CLINICIAN: (
        "Please talk to your doctor or physiotherapist about your answers before you start. This is "
        "not an emergency, but they should check these things first. Exercise sessions are paused until "
        "then. When they have said exercise is fine, run the screening again from Settings."
    ),
    Tier.PARQ: (
        "Please check with your doctor before starting, and tell them about your answers. You can "
        "still use coach; start gently and stop if anything feels wrong."
    ),
    Tier.NONE: (
        "Thank you. Nothing in your answers needs a doctor before you start. Start gently, and stop "
        "if pain rises above 5 out of 10 or spreads down your leg."
    ),
}


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """What the answers mean for the app.

    Attributes
    ----------
    blocked : sessions may not start (a SEE_CLINICIAN, URGENT or EMERGENCY answer).
    tier : the most urgent tier answered "yes" (``Tier.NONE`` when nothing was).
    advice : what to do, in plain words (stored as ``settings.screening_advice`` when blocked).
    parq_flagged : a general (PAR-Q+) or back question was answered "yes".
    flagged : the ids answered "yes", in question order.
    not_applicable : the ids of follow-up questions not asked because the question they follow
        was answered "no" (e.g. the post-operative ones after "no back operation"), in order.
    """

    blocked: bool
    tier: Tier
    advice: str
    parq_flagged: bool
    flagged: tuple[str, ...] = ()
    not_applicable: tuple[str, ...] = ()


def questions_in(group: str) -> tuple[Question, ...]:
    """The questions of one screen, in order."""
    return tuple(q for q in QUESTIONS if q.group == group)


def applies(question: Question, answers: Mapping[str, bool | None]) -> bool:
    """Whether ``question`` is asked, given the answers so far.

    A follow-up question (``asked_if``) is not applicable only when the question it follows was
    answered "no". While that one is unanswered the follow-up still counts, so a "yes" to it is
    never dropped because an earlier answer is missing.
    """
    return question.asked_if is None or answers.get(question.asked_if) is not False


def asked(answers: Mapping[str, bool | None], group: str | None = None) -> tuple[Question, ...]:
    """The questions (of one group, or all) that apply to these answers, in order."""
    qs = QUESTIONS if group is None else questions_in(group)
    return tuple(q for q in qs if applies(q, answers))


def not_applicable(answers: Mapping[str, bool | None]) -> tuple[str, ...]:
    """Ids of follow-up questions that these answers make not applicable, in order."""
    return tuple(q.id for q in QUESTIONS if not applies(q, answers))


def unanswered(answers: Mapping[str, bool | None], group: str | None = None) -> list[str]:
    """Ids (of one group, or all) of the questions asked that have no yes/no answer yet; a
    question that does not apply (see :func:`applies`) is never unanswered."""
    return [q.id for q in asked(answers, group) if answers.get(q.id) is None]


def evaluate(answers: Mapping[str, bool | None]) -> ScreeningResult:
    """Turn yes/no answers into a result. Missing or ``None`` answers count as "no". An answer
    to a question that does not apply (its earlier question was answered "no", see
    :func:`applies`) is ignored: it is recorded in ``not_applicable``, never as a flag.

    Raises
    ------
    KeyError
        An answer refers to a question id that does not exist (a typo would otherwise hide a flag).
    """
    unknown = [k for k in answers if k not in BY_ID]
    if unknown:
        raise KeyError(f"unknown screening question id(s): {', '.join(sorted(unknown))}")
    flagged = tuple(q.id for q in asked(answers) if answers.get(q.id))
    tier = Tier.NONE
    for qid in flagged:
        t = BY_ID[qid].tier
        if RANK[t] > RANK[tier]:
            tier = t
    parq = any(BY_ID[q].tier is Tier.PARQ for q in flagged)
    advice = ADVICE[tier]
    if tier in BLOCKING and parq:
        advice += (
            " " + "Also check with your doctor about your general health answers before you start."
        )
    return ScreeningResult(
        blocked=tier in BLOCKING,
        tier=tier,
        advice=advice,
        parq_flagged=parq,
        flagged=flagged,
        not_applicable=not_applicable(answers),
    )
