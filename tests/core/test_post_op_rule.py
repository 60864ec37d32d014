"""Back surgery reported at onboarding restricts the built-in programs (DOMAIN §5.4)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from coach.routines.today import ALL_LOCKS, SURGERY_TYPE, SURGERY_WHEN, post_op_rule


def ex(*tags: str) -> SimpleNamespace:
    return SimpleNamespace(tags=tags)


def test_no_operation_restricts_nothing() -> None:
    rule = post_op_rule("", "")
    assert rule.locked_tags == frozenset() and rule.advice == ""
    assert rule.allows(ex("loads_flexion", "lifting"))


@pytest.mark.parametrize("kind", [k for k, _ in SURGERY_TYPE])
def test_first_six_weeks_lock_bending_twisting_arching_and_lifting(kind: str) -> None:
    rule = post_op_rule("under_6_weeks", kind)
    assert rule.locked_tags == ALL_LOCKS
    assert not rule.allows(ex("loads_rotation")) and rule.allows(ex("core"))
    assert "walking" in rule.advice and "twisting" in rule.why_locked(ex("loads_rotation"))


def test_not_knowing_when_is_treated_as_recent() -> None:
    assert post_op_rule("not_sure", "discectomy").locked_tags == ALL_LOCKS


def test_fusion_keeps_restrictions_longer_than_disc_surgery() -> None:
    assert post_op_rule("6_weeks_to_3_months", "discectomy").locked_tags == frozenset()
    assert post_op_rule("6_weeks_to_3_months", "fusion").locked_tags == ALL_LOCKS
    assert post_op_rule("3_to_12_months", "fusion").locked_tags == {"lifting"}
    assert post_op_rule("3_to_12_months", "decompression").locked_tags == frozenset()


@pytest.mark.parametrize("when", [w for w, _ in SURGERY_WHEN])
def test_every_answer_gives_advice(when: str) -> None:
    assert "surgeon" in post_op_rule(when, "other").advice
