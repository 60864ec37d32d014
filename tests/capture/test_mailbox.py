"""The one-slot latest-wins mailbox between capture, pose and UI (STYLE §7): the newest item
replaces an unread one, every replaced item is counted, and a waiting reader wakes on a new
item, on its time-out and on close."""

from __future__ import annotations

import threading
import time

import pytest

from coach.capture.base import Mailbox

#: Generous bound for "woke promptly" on a loaded 2-core machine; the waits under test are far
#: longer, so a reader that did not wake would exceed it by a wide margin.
PROMPT_S = 2.0


def _start(target, name: str) -> threading.Thread:
    t = threading.Thread(target=target, name=f"coach-test-{name}", daemon=True)
    t.start()
    return t


def test_latest_wins_and_each_replaced_item_is_counted() -> None:
    box: Mailbox[int] = Mailbox()
    for i in (1, 2, 3):
        box.put(i)
    assert box.get(timeout=0) == 3
    assert box.posted == 3
    assert box.dropped == 2


def test_an_item_that_was_read_is_not_counted_as_dropped() -> None:
    box: Mailbox[str] = Mailbox()
    box.put("a")
    assert box.take() == "a"
    box.put("b")
    assert box.get(timeout=0) == "b"
    assert (box.posted, box.dropped) == (2, 0)


def test_reading_empties_the_slot() -> None:
    box: Mailbox[int] = Mailbox()
    box.put(7)
    assert box.take() == 7
    assert box.take() is None
    assert box.get(timeout=0) is None
    assert box.dropped == 0  # reading an empty slot drops nothing


def test_get_on_an_empty_mailbox_returns_none_after_its_timeout() -> None:
    box: Mailbox[int] = Mailbox()
    t0 = time.monotonic()
    assert box.get(timeout=0.15) is None
    waited = time.monotonic() - t0
    assert 0.14 <= waited < PROMPT_S


def test_get_with_zero_timeout_does_not_wait() -> None:
    box: Mailbox[int] = Mailbox()
    t0 = time.monotonic()
    assert box.get(timeout=0) is None
    assert time.monotonic() - t0 < 0.1


def test_a_waiting_get_wakes_when_an_item_is_put() -> None:
    box: Mailbox[str] = Mailbox()
    got: list[str | None] = []
    reader = _start(lambda: got.append(box.get(timeout=30.0)), "reader")
    time.sleep(0.05)  # let the reader block first
    t0 = time.monotonic()
    box.put("frame")
    reader.join(PROMPT_S)
    assert not reader.is_alive()
    assert got == ["frame"]
    assert time.monotonic() - t0 < PROMPT_S


def test_close_wakes_a_waiting_get_which_returns_none() -> None:
    box: Mailbox[int] = Mailbox()
    got: list[int | None] = [-1]
    reader = _start(lambda: got.__setitem__(0, box.get()), "reader")  # no time-out at all
    time.sleep(0.05)
    assert not box.closed
    box.close()
    reader.join(PROMPT_S)
    assert not reader.is_alive()
    assert got == [None]
    assert box.closed


def test_an_item_put_before_close_is_still_delivered() -> None:
    box: Mailbox[int] = Mailbox()
    box.put(5)
    box.close()
    assert box.get() == 5  # closed but not empty: the last item is not lost
    assert box.get() is None  # closed and empty: no waiting


def test_wait_taken_reports_whether_the_consumer_took_the_item() -> None:
    box: Mailbox[int] = Mailbox()
    assert box.wait_taken(timeout=0) is True  # nothing pending
    box.put(1)
    assert box.wait_taken(timeout=0.05) is False  # nobody read it
    consumer = _start(lambda: (time.sleep(0.05), box.take()), "consumer")
    assert box.wait_taken(timeout=30.0) is True
    consumer.join(PROMPT_S)
    assert box.take() is None


def test_close_releases_a_producer_waiting_for_the_slot() -> None:
    box: Mailbox[int] = Mailbox()
    box.put(1)
    result: list[bool] = []
    producer = _start(lambda: result.append(box.wait_taken()), "producer")
    time.sleep(0.05)
    box.close()
    producer.join(PROMPT_S)
    assert not producer.is_alive()
    assert result == [True]


@pytest.mark.parametrize("n", [1, 500, 5000])
def test_concurrent_producer_every_item_is_either_delivered_or_counted(n: int) -> None:
    """Under a real race: nothing is lost uncounted, nothing is delivered twice or out of order,
    and the newest item always arrives."""
    box: Mailbox[int] = Mailbox()
    received: list[int] = []

    def consume() -> None:
        while (item := box.get(timeout=30.0)) is not None:
            received.append(item)

    consumer = _start(consume, "consumer")
    for i in range(n):
        box.put(i)
    box.close()
    consumer.join(30.0)
    assert not consumer.is_alive()
    assert box.posted == n
    assert len(received) + box.dropped == n
    assert received == sorted(set(received))  # strictly increasing: latest wins, no repeats
    assert received[-1] == n - 1
