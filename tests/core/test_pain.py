"""DOMAIN §5.1 pain rules: every band edge and the relative-rise rule."""

import pytest

from coach.core.pain import Action, Level, before_session, during_session


@pytest.mark.parametrize(
    ("v", "level", "action"),
    [
        (0, Level.GREEN, Action.CONTINUE),
        (3, Level.GREEN, Action.CONTINUE),
        (4, Level.AMBER, Action.OFFER_REGRESSION),
        (5, Level.AMBER, Action.OFFER_REGRESSION),
        (6, Level.RED, Action.STOP_EXERCISE),
        (10, Level.RED, Action.STOP_EXERCISE),
    ],
)
def test_during_bands(v, level, action):
    d = during_session(v, before=v)
    assert (d.level, d.action) == (level, action)
    assert str(v) in d.reason


def test_rise_of_two_is_amber_even_when_low():
    d = during_session(3, before=1)
    assert d.level is Level.AMBER and "1 to 3" in d.reason


def test_spreading_down_the_leg_stops():
    d = during_session(2, before=2, spreading_down_leg=True)
    assert d.level is Level.RED and d.action is Action.STOP_EXERCISE


def test_second_red_ends_the_session():
    assert during_session(7, before=3, reds_so_far=1).action is Action.END_SESSION


def test_before_session():
    assert before_session(8).action is Action.REST_DAY
    assert before_session(2).action is Action.CONTINUE
    assert before_session(6).action is Action.OFFER_REGRESSION


def test_rejects_out_of_range():
    with pytest.raises(ValueError, match="pain is rated 0 to 10"):
        during_session(11, before=None)
