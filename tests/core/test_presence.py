from coach.core.presence import PresenceGate, confirmed_mask


def test_brief_detections_are_rejected_offline():
    ts = [i / 30 for i in range(100)]
    det = [False] * 100
    for i in (3, 4, 5, 6, 20, 21, 22, 23, 24, 25):  # ghost flickers of 0.1-0.2 s
        det[i] = True
    assert not any(confirmed_mask(det, ts))


def test_a_persistent_person_is_kept_whole_including_the_start():
    ts = [i / 30 for i in range(60)]
    det = [True] * 60
    det[30] = False  # one dropped frame does not split the run
    mask = confirmed_mask(det, ts)
    assert mask[0] and mask[29] and not mask[30] and mask[59]


def test_streaming_gate_confirms_after_half_a_second_and_survives_short_gaps():
    g = PresenceGate()
    out = [g.update(True, i / 30) for i in range(20)]
    assert not out[0] and out[-1]
    assert not g.update(False, 20 / 30)
    assert g.update(True, 21 / 30)  # 1 frame gap keeps confirmation
    g.update(False, 22 / 30)
    g.update(False, 1.5)
    assert not g.update(True, 1.53)  # a long gap needs confirming again
