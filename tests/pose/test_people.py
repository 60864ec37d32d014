"""Glancing for other people and following a second person with a crop tracker (issue 12, class 1).

No model here: a fake landmarker "sees" flat grey blocks in the pixels it is given (one person per
grey level), so the crop arithmetic, the hand-over between trackers and the give-up rules are
checked exactly. The real model on real footage is in tests/integration/test_second_person.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from coach.pose import people as P
from coach.pose.crowd import Crowd
from coach.pose.people import (
    PeopleLook,
    PeoplePlan,
    crop_region,
    distinct_people,
    look_regions,
    to_frame,
    trunk_centre_length,
)

W, H = 640, 360
PEOPLE = {100, 200}  # the grey levels the fake model takes for people (any other is a wall)


def figure_in(box: tuple[float, float, float, float]) -> np.ndarray:
    """33 landmarks (x, y, z, visibility) spread over ``box`` (normalised x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    img = np.zeros((33, 4), dtype=np.float32)
    img[:, 0] = np.linspace(x0, x1, 33)
    img[:, 1] = np.linspace(y0, y1, 33)
    img[:, 3] = 1.0
    for i, (fx, fy) in {11: (0.4, 0.25), 12: (0.6, 0.25), 23: (0.4, 0.55), 24: (0.6, 0.55)}.items():
        img[i, :2] = (x0 + fx * (x1 - x0), y0 + fy * (y1 - y0))
    return img


def scene(*people: tuple[int, tuple[int, int, int, int]]) -> np.ndarray:
    """An RGB frame with each person a block of one grey level at pixel box (x0, y0, x1, y1)."""
    rgb = np.zeros((H, W, 3), dtype=np.uint8)
    for level, (x0, y0, x1, y1) in people:
        rgb[y0:y1, x0:x1] = level
    return rgb


class FakeModel:
    """Finds every grey block in the pixels it is given; VIDEO trackers report the largest."""

    def __init__(self, every: bool) -> None:
        self.every = every
        self.closed = False

    def _find(self, rgb: np.ndarray) -> list[np.ndarray]:
        h, w = rgb.shape[:2]
        found = []
        for level in sorted(set(np.unique(rgb[..., 0])) & PEOPLE):
            ys, xs = np.nonzero(rgb[..., 0] == level)
            box = (xs.min() / w, ys.min() / h, (xs.max() + 1) / w, (ys.max() + 1) / h)
            found.append(((xs.max() - xs.min()) * (ys.max() - ys.min()), figure_in(box)))
        found.sort(key=lambda f: -f[0])
        images = [im for _, im in found]
        return images if self.every else images[:1]

    def detect(self, rgb: np.ndarray) -> list[np.ndarray]:
        return self._find(rgb)

    def detect_for_video(self, rgb: np.ndarray, ts: int) -> list[np.ndarray]:
        return self._find(rgb)

    def close(self) -> None:
        self.closed = True


def make_crowd() -> tuple[Crowd, list[FakeModel]]:
    made: list[FakeModel] = []

    def tracker() -> FakeModel:
        made.append(FakeModel(every=False))
        return made[-1]

    look = PeopleLook(lambda: FakeModel(every=True), lambda rgb: rgb, list)
    return Crowd(look, tracker, lambda rgb: rgb, list), made


def centre_px(im: np.ndarray) -> tuple[float, float]:
    x, y, _ = trunk_centre_length(im)
    return x * W, y * H


# -- the pieces ------------------------------------------------------------------------------


def test_a_wide_frame_is_also_looked_at_in_two_larger_halves():
    assert look_regions(640, 360) == [P.FULL, (0.0, 0.0, 0.6, 1.0), (0.4, 0.0, 1.0, 1.0)]
    assert look_regions(360, 640) == [P.FULL]


def test_landmarks_found_in_a_region_land_where_they_are_in_the_frame():
    im = figure_in((0.25, 0.1, 0.75, 0.9))
    back = to_frame(im, (0.4, 0.2, 0.8, 0.7), W, H)
    assert back[0, 0] == pytest.approx(0.4 + 0.25 * 0.4)
    assert back[-1, 1] == pytest.approx(0.2 + 0.9 * 0.5)


def test_one_person_seen_twice_is_one_and_a_tiny_far_figure_is_none():
    big = figure_in((0.1, 0.1, 0.4, 0.9))
    again = big + np.array([0.01, 0.005, 0, 0], dtype=np.float32)  # the same body, other region
    small = figure_in((0.7, 0.4, 0.75, 0.5))  # a poster: trunk a tenth of the big one
    other = figure_in((0.6, 0.3, 0.8, 0.9))
    kept = distinct_people([again, small, big, other])
    assert len(kept) == 2
    assert kept[0] is again or kept[0] is big
    assert kept[1] is other


def test_a_crop_holds_the_person_with_room_to_move():
    im = figure_in((0.5, 0.3, 0.6, 0.8))
    x0, y0, x1, y1 = crop_region(im, W, H)
    assert x0 < 0.5 and x1 > 0.6 and y0 < 0.3 and y1 > 0.8 - 1e-6
    # square in pixels unless the frame's edge cuts it
    assert (x1 - x0) * W == pytest.approx((y1 - y0) * H, rel=0.35) or y0 == 0 or y1 == 1


def test_glances_come_at_the_start_and_on_the_frame_someone_is_found_after_a_lapse():
    plan = PeoplePlan()
    assert plan.look_due(0.0)  # the first frame
    plan.looked(0.0)
    plan.seen(0.0, True)  # the rebuilt tracker finds the person: not a new arrival
    for k in range(1, 300):  # ten seconds of the same person: no glance (no tracker rebuild)
        plan.seen(k / 30, True)
        assert not plan.look_due(k / 30)
    plan.seen(10.0, False)  # a dropped frame is not a lapse
    plan.seen(10.1, True)
    assert not plan.look_due(10.1)
    for k in range(31):  # a second with nobody: no glance while nobody is there
        plan.seen(11.0 + k / 30, False)
        assert not plan.look_due(11.0 + k / 30)
    plan.seen(12.5, True)  # somebody arrives: a glance on that very frame, once
    assert plan.look_due(12.5) and not plan.recovering(12.5)
    plan.looked(12.5)
    plan.seen(12.5, True)
    assert not plan.look_due(12.6) and not plan.look_due(40.0)


def test_a_lost_second_person_is_looked_for_without_rebuilding_the_tracker():
    plan = PeoplePlan()
    plan.looked(0.0)
    plan.seen(0.0, True)
    plan.lost(11.5, soon=False)  # the followed exerciser was hidden for a moment
    assert plan.recovering(12.0)
    assert not plan.look_due(12.0) and plan.look_due(11.5 + P.LOOK_S)
    plan.looked(13.5)
    assert plan.look_due(15.5)  # every LOOK_S while recovering ...
    assert not plan.recovering(11.5 + P.RECOVER_S + 0.1)  # ... for RECOVER_S
    assert not plan.look_due(11.5 + P.RECOVER_S + 0.1)


def test_false_finds_make_glances_wait_longer():
    plan = PeoplePlan()
    plan.looked(0.0)
    plan.lost(10.0, soon=True)
    assert not plan.look_due(10.0 + P.LOOK_S) and plan.look_due(10.0 + P.LOOK_S * P.BACKOFF)
    plan.lost(20.0, soon=True)
    plan.lost(30.0, soon=True)
    assert plan.next_look_t == pytest.approx(30.0 + P.LOOK_S * P.BACKOFF**3)
    for t in range(40, 200, 10):
        plan.lost(float(t), soon=True)
    assert plan.next_look_t - 190.0 <= P.LOOK_MAX_S


# -- following a second person ---------------------------------------------------------------


def test_a_small_exerciser_beside_a_large_bystander_is_followed_in_a_crop():
    crowd, made = make_crowd()
    big = (20, 20, 260, 350)  # the bystander the main tracker follows
    rgb = scene((200, big), (100, (420, 200, 470, 330)))
    main = FakeModel(every=False)._find(rgb)
    assert crowd.glance_due(0.0)
    crowd.glance(rgb, 0.0)
    extra = crowd.step(rgb, 0.0, main)
    assert crowd.following_extra and len(made) == 1
    assert len(extra) == 1
    cx, cy = centre_px(extra[0])
    assert 420 < cx < 470 and 200 < cy < 330
    assert not crowd.glance_due(10.0)  # no glances while two are followed

    # the exerciser steps right and up: the crop goes with them
    for k in range(1, 31):
        dx, dy = 3 * k, -k
        rgb = scene((200, big), (100, (420 + dx, 200 + dy, 470 + dx, 330 + dy)))
        extra = crowd.step(rgb, k / 30, main)
        assert len(extra) == 1, k
    cx, _ = centre_px(extra[0])
    assert cx == pytest.approx(445 + 90, abs=6)


def test_the_crop_tracker_is_given_up_when_its_person_leaves():
    crowd, made = make_crowd()
    big = (20, 20, 260, 350)
    rgb = scene((200, big), (100, (420, 200, 470, 330)))
    main = FakeModel(every=False)._find(rgb)
    crowd.glance(rgb, 0.0)
    crowd.step(rgb, 0.0, main)
    gone = scene((200, big))
    t = 0.0
    while crowd.following_extra and t < 5:
        t += 1 / 30
        assert crowd.step(gone, t, main) == []
    assert not crowd.following_extra and made[0].closed
    assert t == pytest.approx(P.EXTRA_LOST_S, abs=0.1)
    # it was short-lived, so glances now wait longer than at first
    assert crowd.plan.next_look_t - t > P.LOOK_S


def test_a_crop_that_drifts_onto_the_main_person_is_dropped():
    crowd, made = make_crowd()
    rgb = scene((200, (20, 20, 260, 350)), (100, (300, 100, 380, 330)))
    main = FakeModel(every=False)._find(rgb)
    crowd.glance(rgb, 0.0)
    assert crowd.step(rgb, 0.0, main)
    # the big one leaves and the main tracker finds the person the crop follows: the same
    # body twice, so the crop tracker goes
    same = scene((100, (300, 100, 380, 330)))
    main_now = [to_frame(FakeModel(every=False)._find(same)[0], P.FULL, W, H)]
    assert crowd.step(same, 0.2, main_now) == []
    assert not crowd.following_extra and made[0].closed


def test_one_person_alone_starts_no_second_tracker():
    crowd, made = make_crowd()
    rgb = scene((100, (300, 100, 380, 330)))
    main = FakeModel(every=False)._find(rgb)
    crowd.glance(rgb, 0.0)
    assert crowd.step(rgb, 0.0, main) == []
    assert not crowd.following_extra and made == []


def test_a_failed_glance_leaves_the_main_tracker_alone():
    def broken() -> object:
        raise RuntimeError("no memory")

    look = PeopleLook(broken, lambda rgb: rgb, list)
    assert look.find(scene((100, (300, 100, 380, 330)))) == []


def test_the_trunk_measure_is_in_frame_units():
    x, y, trunk = trunk_centre_length(figure_in((0.0, 0.0, 1.0, 1.0)))
    assert (x, y) == pytest.approx((0.5, 0.4))
    assert trunk == pytest.approx(math.hypot(0, 0.3))


def test_a_glance_waits_for_the_main_trackers_people_when_they_come_later():
    """Live results arrive on MediaPipe's thread after the frame: the glance's finds wait."""
    crowd, made = make_crowd()
    rgb = scene((200, (20, 20, 260, 350)), (100, (420, 200, 470, 330)))
    crowd.glance(rgb, 0.0)
    assert crowd.step(rgb, 0.0, []) == [] and not crowd.following_extra
    main = FakeModel(every=False)._find(rgb)
    assert len(crowd.step(rgb, 0.04, main)) == 1 and crowd.following_extra


def test_a_hidden_exerciser_is_followed_again_after_a_glance():
    """The main tracker keeps the larger bystander; the exerciser's crop tracker loses her for
    a moment (someone walks in front): the next glances find her again."""
    crowd, made = make_crowd()
    big = (20, 20, 260, 350)
    her = (100, (420, 200, 470, 330))
    rgb = scene((200, big), her)
    main = FakeModel(every=False)._find(rgb)
    crowd.glance(rgb, 0.0)
    assert crowd.step(rgb, 0.0, main)
    t = 0.0
    while crowd.following_extra:  # hidden
        t += 1 / 30
        crowd.step(scene((200, big)), t, main)
    assert made[0].closed and crowd.recovering(t)
    while not crowd.glance_due(t):  # back in view; the main tracker is left alone meanwhile
        t += 1 / 30
        assert crowd.step(rgb, t, main) == []
    crowd.glance(rgb, t)
    assert len(crowd.step(rgb, t, main)) == 1 and crowd.following_extra and len(made) == 2


def test_people_overlapping_in_the_picture_stay_two():
    """A person on a mat in front of a standing one: her trunk is inside his outline, not his
    trunk; one glance region sees both (a half view and a whole view of one body are one)."""
    standing = figure_in((0.3, 0.05, 0.5, 0.95))
    on_mat = figure_in((0.2, 0.7, 0.6, 0.85))
    on_mat[[11, 12, 23, 24], :2] = [(0.25, 0.77), (0.26, 0.79), (0.5, 0.77), (0.51, 0.79)]
    assert len(distinct_people([standing, on_mat], [0, 0])) == 2
    half_view = standing + np.array([0.05, 0.08, 0, 0], dtype=np.float32)
    assert len(distinct_people([standing, half_view], [0, 1])) == 1
