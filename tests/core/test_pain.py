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


@pytest.mark.parametrize(
    ("v", "level", "action"),
    [
        (0, Level.GREEN, Action.CONTINUE),
        (3, Level.GREEN, Action.CONTINUE),
        (4, Level.AMBER, Action.CONTINUE),
        (5, Level.AMBER, Action.CONTINUE),
        # DOMAIN §5.1 has no rule before a session below 8: 6 and 7 start as planned (no
        # "easier versions only"); the in-session rules stop an exercise if it stays above 5
        (6, Level.RED, Action.CONTINUE),
        (7, Level.RED, Action.CONTINUE),
        (8, Level.RED, Action.REST_DAY),
        (10, Level.RED, Action.REST_DAY),
    ],
)
def test_before_session_bands(v, level, action):
    d = before_session(v)
    assert (d.level, d.action) == (level, action)
    assert f"{v} out of 10" in d.reason


def test_before_session_words_say_what_happens():
    seven = before_session(7).reason
    assert "You can start" in seven and "above 5" in seven and "easier" not in seven
    eight = before_session(8).reason
    assert "rest or take a gentle walk" in eight and "physiotherapist" in eight


def test_before_session_follows_the_therapists_rules():
    from coach.core.pain import DefaultPainRules

    strict = DefaultPainRules(amber_max=4, rest_day_at=6)
    assert before_session(5, strict).action is Action.CONTINUE
    assert "above 4" in before_session(5, strict).reason
    assert before_session(6, strict).action is Action.REST_DAY


def test_rejects_out_of_range():
    with pytest.raises(ValueError, match="pain is rated 0 to 10"):
        during_session(11, before=None)


def test_a_rest_day_is_a_red_session_in_the_record():
    from dataclasses import dataclass

    from coach.core.pain import classify_session

    @dataclass(frozen=True)
    class Rating:
        context: str
        value: int
        spreading_down_leg: bool = False

    rest_day = classify_session([Rating("before", 8)])
    assert rest_day.light == "red"
    assert rest_day.reasons == ("pain 8/10 before the session: a rest day",)
    # below the rest-day level the session is judged on how the pain answered the exercise
    assert classify_session([Rating("before", 7), Rating("end", 3)]).light == "green"
