"""The posture monitor's pipeline: a camera looked at a few times a minute, not streamed.

Qt-free, shared by the app's background monitor (:mod:`coach.ui.posture_monitor` only renders
it), ``coach bench-monitor`` and the tests. One worker thread (or, for benchmarks and tests, the
calling thread on a simulated clock) does, per sample::

    grab (no decode) ... grab -> retrieve (decode + RGB) -> pose model -> consumer -> next interval

Adaptive sampling (:class:`AdaptiveSampler`)
--------------------------------------------
While the person sits still in the same posture the interval doubles from ``fast_s`` up to
``slow_s`` (0.25 -> 0.5 -> 1 -> 1.5 s). Any of these drops it back to ``fast_s`` at once:

* **movement**: head and shoulders moved (median over nose, ears, shoulders) more than
  ``move_fraction`` of the head-and-shoulders scale since the last sample (a third: far more
  than the 7° of a forward-head threshold, which the verdict catches, far less than a person
  shifting in the chair or leaning in), the apparent size changed by more than ``scale_fraction`` (the
  camera zoomed or the person moved nearer), or the person appeared or vanished;
* **an uncertain verdict**: the monitor is still confirming the person, its raw verdict differs
  from the one shown (a state change waiting for its dwell time), or the raw verdict changed;
* **a nudge is due**: an issue's 60 s clock will run out within ``nudge_lead_s`` (the nudge is
  confirmed on fresh frames, never on a 2-second-old one);
* **asked**: :meth:`SampledPipeline.hold_fast` (the guided calibration wants many frames).

The DOMAIN §3.4 rules live in :class:`~coach.core.posture.PostureMonitor` and do not change:
they are timestamp-based, so fewer frames change nothing but the resolution of the clocks.
:func:`monitor_config` widens only the presence gaps so that a 2-second interval is not taken
for the person leaving. A change of posture is seen at the next sample (<= ``slow_s``) and shown
after two or three fast ones (the state dwell), so within ``slow_s + 0.5`` s.

The camera is released (the light goes off)
-------------------------------------------
* when nobody has been there for ``away_release_s`` (3 min; somebody "there" for less than
  ``present_reset_s`` does not count: the model sees brief people in empty rooms): it is
  reopened every
  ``away_recheck_s`` (1 min), given ``reopen_warmup_s`` to settle its exposure, looked at once
  and closed again if the desk is still empty;
* when another program wants it, where the platform says so (``camera_busy``, checked every
  ``busy_check_s``; on Linux :func:`coach.capture.sources.camera_users`), until it lets go;
* by the owner (:meth:`SampledPipeline.stop`) for pause, snooze, screen lock and sleep.

Cheap frames
------------
A camera (:class:`~coach.capture.sources.CameraSource`) is only touched at sample time: the
buffered, stale pictures are ``grab``-bed (taken from the driver without decoding) and only the
fresh one is ``retrieve``-d. A video file standing in for a camera is played in real time by
media time; the frames between two samples are grabbed, not converted.

Shared with :mod:`coach.pipeline.live`: the frame sources and their grab/retrieve, the
estimator protocol and its errors, the latest-wins :class:`~coach.capture.base.Mailbox` through
which the owner reads the newest result, and the same stop discipline (an Event, joins with a
time-out). What differs is only when frames are read, which is what this package is for.

Where things are: :mod:`~coach.pipeline.sampled.policy` (when to look: :class:`SamplingPolicy`,
:class:`AdaptiveSampler`, :func:`monitor_config`; pure logic), :mod:`~coach.pipeline.sampled.reader`
(reading frames cheaply: :class:`SampledReader`, and :class:`SimClock`) and
:mod:`~coach.pipeline.sampled.worker` (the thread and the camera: :class:`SampledPipeline`, its
states, events and statistics). Everything is re-exported here.
"""

from coach.pipeline.sampled.policy import (
    AdaptiveSampler,
    SamplingPolicy,
    head_shoulder_points,
    monitor_config,
)
from coach.pipeline.sampled.reader import GrabSource, SampledReader, SimClock
from coach.pipeline.sampled.worker import (
    EVENT_QUEUE,
    LOST_AFTER_MISSES,
    Consumer,
    SampledEvent,
    SampledEventKind,
    SampledPipeline,
    SampledResult,
    SampledState,
    SampledStats,
)

__all__ = [
    "EVENT_QUEUE",
    "LOST_AFTER_MISSES",
    "AdaptiveSampler",
    "Consumer",
    "GrabSource",
    "SampledEvent",
    "SampledEventKind",
    "SampledPipeline",
    "SampledReader",
    "SampledResult",
    "SampledState",
    "SampledStats",
    "SamplingPolicy",
    "SimClock",
    "head_shoulder_points",
    "monitor_config",
]
