"""The first-run screening: questions, tiers and advice (DOMAIN §5.2, §5.3). Qt-free."""

from __future__ import annotations

import pytest

from coach.core import screening
from coach.core.screening import ADVICE, BLOCKING, GROUPS, QUESTIONS, Tier, evaluate


def ids(tier: Tier) -> list[str]:
    return [q.id for q in QUESTIONS if q.tier is tier]


def test_question_ids_are_unique_and_grouped() -> None:
    all_ids = [q.id for q in QUESTIONS]
    assert len(all_ids) == len(set(all_ids))
    groups = {g.id for g in GROUPS}
    assert {q.group for q in QUESTIONS} == groups
    for g in GROUPS:
        assert screening.questions_in(g.id), g.id


def test_every_tier_has_questions_and_the_parq_has_its_seven() -> None:
    for tier in (Tier.PARQ, Tier.SEE_CLINICIAN, Tier.URGENT, Tier.EMERGENCY):
        assert ids(tier), tier
    assert len(screening.questions_in("general")) == 7  # the PAR-Q+ general questions
    assert all(q.tier is Tier.PARQ for q in screening.questions_in("general"))
    assert all(q.tier is Tier.EMERGENCY for q in screening.questions_in("emergency"))
    assert all(q.tier is Tier.URGENT for q in screening.questions_in("urgent"))
    assert all(q.tier is Tier.SEE_CLINICIAN for q in screening.questions_in("review"))


def test_cauda_equina_signs_are_emergencies() -> None:
    emergency = ids(Tier.EMERGENCY)
    for qid in ("rf_bladder", "rf_bowel", "rf_saddle", "rf_leg_weakness", "rf_both_legs"):
        assert qid in emergency


def test_all_no_is_clear() -> None:
    r = evaluate({q.id: False for q in QUESTIONS})
    # "no" to back surgery makes its three follow-up questions not applicable
    post_op = ("rf_wound", "rf_postop_numb", "rf_headache")
    assert r == screening.ScreeningResult(False, Tier.NONE, ADVICE[Tier.NONE], False, (), post_op)


def test_empty_answers_count_as_no() -> None:
    assert evaluate({}).tier is Tier.NONE
    assert evaluate({"parq_heart": None}).tier is Tier.NONE


@pytest.mark.parametrize("qid", [q.id for q in QUESTIONS if q.tier is Tier.PARQ])
def test_a_parq_yes_flags_but_never_blocks(qid: str) -> None:
    r = evaluate({qid: True})
    assert r.parq_flagged
    assert not r.blocked
    assert r.tier is Tier.PARQ
    assert "check with your doctor before starting" in r.advice
    assert r.flagged == (qid,)


@pytest.mark.parametrize("qid", ids(Tier.EMERGENCY))
def test_an_emergency_answer_blocks_and_says_what_to_do_now(qid: str) -> None:
    r = evaluate({qid: True})
    assert r.blocked and r.tier is Tier.EMERGENCY
    assert "emergency care now" in r.advice
    assert "emergency number" in r.advice


@pytest.mark.parametrize("qid", ids(Tier.URGENT))
def test_an_urgent_answer_blocks_and_advises_same_day_contact(qid: str) -> None:
    r = evaluate({qid: True})
    assert r.blocked and r.tier is Tier.URGENT
    assert "today" in r.advice


@pytest.mark.parametrize("qid", ids(Tier.SEE_CLINICIAN))
def test_a_see_clinician_answer_blocks_until_reviewed(qid: str) -> None:
    r = evaluate({qid: True})
    assert r.blocked and r.tier is Tier.SEE_CLINICIAN
    assert "before you start" in r.advice
    assert "run the screening again" in r.advice


def test_the_most_urgent_tier_wins_whatever_the_order() -> None:
    answers = {"rf_cancer": True, "rf_fever": True, "parq_heart": True, "rf_saddle": True}
    r = evaluate(answers)
    assert r.tier is Tier.EMERGENCY and r.blocked and r.parq_flagged
    assert r.flagged == ("parq_heart", "rf_saddle", "rf_fever", "rf_cancer")  # question order
    assert r.advice.startswith(ADVICE[Tier.EMERGENCY])
    assert "general health" in r.advice  # the PAR-Q advice is not lost
    assert evaluate({"rf_cancer": True, "rf_fever": True}).tier is Tier.URGENT


def test_a_misspelt_question_id_is_an_error_not_a_silent_no() -> None:
    with pytest.raises(KeyError, match="rf_sadle"):
        evaluate({"rf_sadle": True})


def test_advice_never_names_a_diagnosis() -> None:
    names = (
        "cauda equina",
        "infection",
        "cancer",
        "fracture",
        "clot",
        "sciatica",
        "tumour",
        "stenosis",
    )
    for tier in Tier:
        text = ADVICE[tier].lower()
        for name in names:
            assert name not in text, (tier, name)
    assert "cannot tell what is causing" in ADVICE[Tier.EMERGENCY]


def test_blocking_tiers() -> None:
    assert {Tier.SEE_CLINICIAN, Tier.URGENT, Tier.EMERGENCY} == BLOCKING
    ranks = [
        screening.RANK[t]
        for t in (Tier.NONE, Tier.PARQ, Tier.SEE_CLINICIAN, Tier.URGENT, Tier.EMERGENCY)
    ]
    assert ranks == sorted(ranks)


def test_unanswered_lists_missing_ids_per_group() -> None:
    group = screening.questions_in("emergency")
    answers = {q.id: False for q in group[:-1]}
    assert screening.unanswered(answers, "emergency") == [group[-1].id]
    assert len(screening.unanswered({})) == len(QUESTIONS)


POST_OP = ("rf_wound", "rf_postop_numb", "rf_headache")


def test_only_the_post_operative_questions_follow_up_back_surgery() -> None:
    """DOMAIN §5.3: every other red flag (the fever one covers both cases) is asked of all."""
    follow = {q.id: q.asked_if for q in QUESTIONS if q.asked_if is not None}
    assert follow == dict.fromkeys(POST_OP, "back_surgery")
    assert screening.BY_ID["rf_fever"].asked_if is None
    order = [q.id for q in QUESTIONS]
    group_order = [g.id for g in GROUPS]
    for qid, first in follow.items():
        assert order.index(first) < order.index(qid)  # the question comes before its follow-ups
        assert group_order.index(screening.BY_ID[first].group) < group_order.index(
            screening.BY_ID[qid].group
        )


def test_no_back_surgery_makes_the_post_operative_questions_not_applicable() -> None:
    answers: dict[str, bool | None] = {q.id: False for q in QUESTIONS}
    urgent = [q.id for q in screening.questions_in("urgent")]
    assert [q.id for q in screening.asked(answers, "urgent")] == [
        q for q in urgent if q not in POST_OP
    ]
    for qid in POST_OP:
        answers[qid] = None
    assert screening.unanswered(answers) == []  # nothing left to answer: finishing is allowed
    answers.update(dict.fromkeys(POST_OP, True))  # a stale "yes" from before the "no"
    r = evaluate(answers)
    assert r.tier is Tier.NONE and not r.blocked and r.flagged == ()
    assert r.not_applicable == POST_OP
    # every other red flag still counts for someone without an operation
    for q in QUESTIONS:
        if q.tier in BLOCKING and q.id not in POST_OP:
            assert evaluate({"back_surgery": False, q.id: True}).blocked, q.id


def test_yes_to_back_surgery_asks_them_and_a_yes_is_urgent() -> None:
    answers: dict[str, bool | None] = {q.id: False for q in QUESTIONS}
    answers["back_surgery"] = True
    for qid in POST_OP:
        answers[qid] = None
    assert screening.unanswered(answers) == list(POST_OP)
    assert [q.id for q in screening.asked(answers, "urgent")] == [
        q.id for q in screening.questions_in("urgent")
    ]
    for qid in POST_OP:
        r = evaluate({"back_surgery": True, qid: True})
        assert r.blocked and r.tier is Tier.URGENT and r.flagged == ("back_surgery", qid)
        assert r.not_applicable == ()


def test_an_unanswered_surgery_question_never_drops_a_post_operative_yes() -> None:
    assert evaluate({"rf_wound": True}).tier is Tier.URGENT
    assert "rf_wound" in screening.unanswered({})
