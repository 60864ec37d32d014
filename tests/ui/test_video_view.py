"""The live view mirrors for display only, and draws the skeleton alone when asked."""

import numpy as np

from coach.ui.video_view import VideoView


def _frame():
    img = np.zeros((300, 400, 3), np.uint8)
    img[:, :200] = (255, 0, 0)  # left half red
    img[:, 200:] = (0, 0, 255)  # right half blue
    return img


def test_mirroring_flips_the_picture_not_the_data(qtbot):
    v = VideoView()
    qtbot.addWidget(v)
    v.resize(400, 300)
    img = _frame()
    for mirror, left in ((False, (255, 0, 0)), (True, (0, 0, 255))):
        v.mirror = mirror
        v.set_frame(img, None, None)
        c = v.grab().toImage().pixelColor(50, 150)
        assert (c.red(), c.green(), c.blue()) == left
    assert img[0, 0].tolist() == [255, 0, 0]  # the frame itself (what the model sees) is untouched


def test_skeleton_only_never_shows_the_picture(qtbot):
    v = VideoView()
    qtbot.addWidget(v)
    v.resize(400, 300)
    v.skeleton_only = True
    v.set_frame(_frame(), None, None)
    c = v.grab().toImage().pixelColor(50, 150)
    assert (c.red(), c.green(), c.blue()) != (255, 0, 0)
