"""Pose estimation behind a small protocol: MediaPipe Tasks, and a replay of recorded tracks.

Estimators take RGB, un-mirrored frames and return :class:`coach.core.landmarks.PoseFrame`
or None when no person is there. A detection only counts as a person when its core landmarks
(shoulders and hips) are both present and visible: the raw model returns "ghost" poses on empty
scenes, and those must not be scored.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from coach.capture.base import Frame
from coach.core.landmarks import BODY_CORE, NUM_LANDMARKS, PoseFrame
from coach.pose.people import MAX_PEOPLE, close_and_free, trunk_centre_length

log = logging.getLogger(__name__)

# MediaPipe's C++ logging (glog/absl) writes INFO and WARNING lines to stderr; keep them for -v.
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

#: A detection is a person only if the mean presence and visibility of the shoulders and hips
#: reach these (the ghost poses the model returns on empty rooms fall well below).
PRESENCE_GATE = 0.5
CORE_VISIBILITY_GATE = 0.5
_CORE = np.array([int(i) for i in BODY_CORE])
#: Default number of people to detect (``COACH_NUM_POSES`` overrides). With more than one, the
#: scoring engine follows the person who exercises (coach.core.person). Kept at 1 for now:
#: MediaPipe Tasks (0.10) re-runs its detector on every frame while it tracks fewer people than
#: ``num_poses`` and then loses a lone person on some frames (on a shared front-view squat clip,
#: 202 instead of 234 frames with a pose, 2 of 4 reps lost).
NUM_POSES = (
    int(os.environ.get("COACH_NUM_POSES", "1") or 1)
    if os.environ.get("COACH_NUM_POSES", "1").isdigit()
    else 1
)


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Silence MediaPipe's native start-up chatter (TFLite/absl write straight to fd 2).

    Python-level errors still surface as exceptions; with ``COACH_DEBUG=1`` nothing is hidden.
    """
    if os.environ.get("COACH_DEBUG") or not hasattr(os, "dup"):
        yield
        return
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            sys.stderr.flush()
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


class PoseError(Exception):
    """The pose model failed; the message is for the user."""


class PoseEstimator(Protocol):
    """Finds one person's 33 landmarks in a frame (other people, if any, in ``PoseFrame.others``)."""

    def detect(self, frame: Frame) -> PoseFrame | None: ...
    def close(self) -> None: ...


def is_person(image: npt.NDArray[np.float32], presence: npt.NDArray[np.float32] | None) -> bool:
    """The presence/visibility gate applied to one raw detection."""
    vis = float(image[_CORE, 3].mean())
    if vis < CORE_VISIBILITY_GATE:
        return False
    return presence is None or float(presence[_CORE].mean()) >= PRESENCE_GATE


@dataclass(slots=True)
class EstimatorOptions:
    variant: str = "full"
    model_path: str | None = None
    min_detection_confidence: float = 0.5
    min_presence_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    live: bool = False  # LIVE_STREAM mode (camera); else VIDEO mode (files)
    threads: int | None = None
    #: People the model always looks for (``COACH_NUM_POSES``). More than one lets the scoring
    #: engine follow the person who exercises when someone else is in the picture
    #: (coach.core.person), at a cost in jitter and speed; see ``people_look``.
    num_poses: int = NUM_POSES
    #: Glance for other people when someone comes into view (coach.pose.people) and follow a
    #: second person in a crop (coach.pose.crowd). Off for the posture monitor (a desk, one
    #: sampled frame at a time) and when ``num_poses`` > 1.
    people_look: bool = os.environ.get("COACH_PEOPLE_LOOK", "1") != "0"


Arrays = tuple[npt.NDArray[np.float32], npt.NDArray[np.float32] | None, npt.NDArray[np.float32]]


def _all_arrays(result: object) -> list[Arrays]:
    """Every pose of a MediaPipe result as (image, world, presence) arrays, model order."""
    poses = getattr(result, "pose_landmarks", None) or []
    worlds = getattr(result, "pose_world_landmarks", None) or []
    out: list[Arrays] = []
    for k, lms in enumerate(poses):
        if len(lms) != NUM_LANDMARKS:
            continue
        image = np.array(
            [(p.x, p.y, p.z, p.visibility if p.visibility is not None else 0.0) for p in lms],
            dtype=np.float32,
        )
        presence = np.array(
            [p.presence if p.presence is not None else 1.0 for p in lms], dtype=np.float32
        )
        world = None
        if k < len(worlds):
            world = np.array([(p.x, p.y, p.z) for p in worlds[k]], dtype=np.float32)
        out.append((image, world, presence))
    return out


def _result_to_arrays(result: object) -> Arrays | None:
    arrays = _all_arrays(result)
    return arrays[0] if arrays else None


def _core_centre(image: npt.NDArray[np.float32]) -> tuple[float, float]:
    x, y, _trunk = trunk_centre_length(image)
    return x, y


def order_people(
    images: list[npt.NDArray[np.float32]], previous: tuple[float, float] | None
) -> list[int]:
    """Indices of ``images`` with the one nearest the previous pick first (a consistent identity
    from frame to frame), else the largest body (longest trunk) first."""
    if len(images) <= 1:
        return list(range(len(images)))

    if previous is not None:
        key = [float(np.hypot(*(np.array(_core_centre(im)) - previous))) for im in images]
        return sorted(range(len(images)), key=lambda i: key[i])
    return sorted(range(len(images)), key=lambda i: -trunk_centre_length(images[i])[2])


class MediaPipeEstimator:
    """MediaPipe Tasks PoseLandmarker (VIDEO mode for files, LIVE_STREAM for a camera)."""

    def __init__(self, options: EstimatorOptions | None = None) -> None:
        self.options = opts = options or EstimatorOptions()
        from coach.pose.model import ModelError, ensure_model

        try:
            path = ensure_model(opts.variant, opts.model_path)
        except ModelError as exc:
            raise PoseError(str(exc)) from exc
        self.model_path = Path(path)
        from coach.pose import mp_tasks

        try:
            mp = mp_tasks.load()
        except ImportError as exc:  # pragma: no cover - broken install
            raise PoseError(f"MediaPipe is not installed correctly: {exc}") from exc
        self._mp = mp
        self._live_lock = threading.Lock()
        self._live_out: Callable[[PoseFrame | None, int], None] | None = None
        self._pending: dict[int, Frame] = {}
        self._num_poses = max(1, int(opts.num_poses))
        self._landmarker: Any = self._make_landmarker(live=opts.live, num_poses=self._num_poses)
        from coach.pose.crowd import Crowd
        from coach.pose.people import PeopleLook

        def gated(result: object) -> list[npt.NDArray[np.float32]]:
            return [im for im, _w, pr in _all_arrays(result) if is_person(im, pr)]

        self._crowd: Crowd | None = None
        if opts.people_look and self._num_poses == 1:
            self._crowd = Crowd(
                PeopleLook(
                    lambda: self._make_landmarker(live=False, num_poses=MAX_PEOPLE, image=True),
                    self._wrap,
                    gated,
                    quiet_native_stderr,
                ),
                lambda: self._make_landmarker(live=False, num_poses=1),
                self._wrap,
                gated,
                quiet_native_stderr,
            )
        self._extras: dict[int, list[npt.NDArray[np.float32]]] = {}
        self._last_main: list[npt.NDArray[np.float32]] = []
        self._last_ts_ms = -1
        self._warm = False
        self._last_centre: tuple[float, float] | None = None

    def _make_landmarker(self, *, live: bool, num_poses: int, image: bool = False) -> Any:
        """A PoseLandmarker with this estimator's options (IMAGE mode for a glance)."""
        mp, opts = self._mp, self.options
        if image:
            mode = mp.RunningMode.IMAGE
        else:
            mode = mp.RunningMode.LIVE_STREAM if live else mp.RunningMode.VIDEO
        kwargs: dict[str, object] = {}
        if live and not image:
            kwargs["result_callback"] = self._on_live_result
        try:
            with quiet_native_stderr():
                return mp.PoseLandmarker.create_from_options(
                    mp.PoseLandmarkerOptions(
                        base_options=mp.BaseOptions(model_asset_path=str(self.model_path)),
                        running_mode=mode,
                        num_poses=num_poses,
                        min_pose_detection_confidence=opts.min_detection_confidence,
                        min_pose_presence_confidence=opts.min_presence_confidence,
                        min_tracking_confidence=opts.min_tracking_confidence,
                        **kwargs,
                    )
                )
        except Exception as exc:  # MediaPipe raises plain RuntimeError/ValueError on bad bundles
            raise PoseError(
                f"The pose model {self.model_path} could not be loaded ({exc}). "
                "Run 'coach models install --force' to rebuild it."
            ) from exc

    def _wrap(self, rgb: npt.NDArray[np.uint8]) -> object:
        return self._mp.Image(
            image_format=self._mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb)
        )

    @property
    def following_extra(self) -> bool:
        """Someone besides the main tracker's person is being followed (coach.pose.crowd)."""
        return self._crowd is not None and self._crowd.following_extra

    def _glance(self, frame: Frame) -> None:
        """Look for other people when due (coach.pose.people), and make sure a tracker runs.

        At the start and when the tracker has just found someone, only one model is in memory
        for a glance: the tracker is closed for it and built again after it (a second instance
        would add ~105 MiB to the app's peak); a rebuilt tracker finds its person again on its
        first frame. While a lost second person is looked for, the tracker is left alone (the
        second tracker's memory was just freed). If the glance found someone the tracker is not
        following, a crop tracker follows them from this frame on.
        """
        crowd = self._crowd
        t = frame.timestamp
        if crowd is not None and crowd.glance_due(t):
            if not crowd.recovering(t):
                self._drop_tracker()
                self._last_main = []  # the next people found are the rebuilt tracker's
            crowd.glance(frame.rgb, t)
        if self._landmarker is None:  # rebuilt after a glance (or after a failed rebuild)
            self._landmarker = self._make_landmarker(
                live=self.options.live, num_poses=self._num_poses
            )
            self._warm = False  # a fresh graph logs its set-up natively on its first frame

    def _extra_people(
        self, frame: Frame, main: list[npt.NDArray[np.float32]]
    ) -> list[npt.NDArray[np.float32]]:
        return [] if self._crowd is None else self._crowd.step(frame.rgb, frame.timestamp, main)

    def _drop_tracker(self) -> None:
        """Close the tracked landmarker (if any) and hand its memory back."""
        old, self._landmarker = self._landmarker, None
        if old is not None:
            close_and_free(old)

    def _ts_ms(self, frame: Frame) -> int:
        ts = int(round(frame.timestamp * 1000.0))
        if ts <= self._last_ts_ms:  # MediaPipe requires strictly increasing timestamps
            ts = self._last_ts_ms + 1
        self._last_ts_ms = ts
        return ts

    def _to_pose(
        self,
        result: object,
        frame: Frame,
        extra: Callable[[list[npt.NDArray[np.float32]]], list[npt.NDArray[np.float32]]]
        | None = None,
    ) -> PoseFrame | None:
        """The frame's people, the one nearest the last pick first; ``extra(main)`` adds the
        people a crop tracker follows (image landmarks only)."""
        people = [(im, w) for im, w, pr in _all_arrays(result) if is_person(im, pr)]
        self._last_main = [im for im, _ in people]
        if self._crowd is not None:
            self._crowd.seen(frame.timestamp, bool(people))
        if extra is not None:
            people += [(im, None) for im in extra([im for im, _ in people])]
        if not people:
            return None
        order = order_people([im for im, _ in people], self._last_centre)
        poses = [
            PoseFrame(
                people[i][0],
                frame.timestamp,
                frame.frame_id,
                frame.width,
                frame.height,
                people[i][1],
            )
            for i in order
        ]
        self._last_centre = _core_centre(poses[0].image)
        first = poses[0]
        if len(poses) == 1:
            return first
        return PoseFrame(
            first.image,
            first.timestamp,
            first.frame_id,
            first.width,
            first.height,
            first.world,
            others=tuple(poses[1:]),
        )

    def detect(self, frame: Frame) -> PoseFrame | None:
        """Synchronous detection (VIDEO mode)."""
        self._glance(frame)
        img = self._wrap(frame.rgb)
        try:
            if self._warm:
                result = self._landmarker.detect_for_video(img, self._ts_ms(frame))
            else:  # the first inference logs graph warnings natively
                with quiet_native_stderr():
                    result = self._landmarker.detect_for_video(img, self._ts_ms(frame))
                self._warm = True
        except Exception as exc:
            raise PoseError(f"pose detection failed on frame {frame.frame_id}: {exc}") from exc
        return self._to_pose(result, frame, lambda main: self._extra_people(frame, main))

    # LIVE_STREAM: results arrive on MediaPipe's own thread. Never touch widgets there.
    def detect_async(
        self, frame: Frame, on_result: Callable[[PoseFrame | None, int], None]
    ) -> None:
        self._glance(frame)  # never under _live_lock: it closes a landmarker
        img = self._wrap(frame.rgb)
        ts = self._ts_ms(frame)
        # The extra person is measured here, on this thread, against the main tracker's last
        # people; MediaPipe's thread adds them to this frame's result.
        extra = self._extra_people(frame, self._last_main)
        with self._live_lock:
            self._live_out = on_result
            self._pending[ts] = frame
            self._extras[ts] = extra
            # Bound the bookkeeping: MediaPipe drops frames it cannot keep up with.
            if len(self._pending) > 8:
                for k in sorted(self._pending)[:-8]:
                    del self._pending[k]
                    self._extras.pop(k, None)
        self._landmarker.detect_async(img, ts)

    def _on_live_result(self, result: object, _image: object, ts_ms: int) -> None:
        with self._live_lock:
            frame = self._pending.pop(ts_ms, None)
            extra = self._extras.pop(ts_ms, [])
            out = self._live_out
        if frame is None or out is None:
            return
        try:
            out(self._to_pose(result, frame, lambda _main: extra), frame.frame_id)
        except Exception:  # a consumer error must not kill MediaPipe's thread
            log.exception("live pose consumer failed")

    def close(self) -> None:
        if self._crowd is not None:
            self._crowd.close()
        if self._landmarker is None:
            return
        try:
            self._landmarker.close()
        except Exception:  # closing twice or after a failure is harmless
            log.debug("landmarker close failed", exc_info=True)


# ---------------------------------------------------------------------------------------------
# Recorded tracks


@dataclass(frozen=True, slots=True)
class Track:
    """A recorded landmark track: what a video looked like to the model, without the video.

    image : (N, 33, 4) float32, NaN rows where no person was found.
    world : (N, 33, 3) float32 or None.
    timestamps : (N,) seconds; frame_ids : (N,) int.
    others : (N, K, 33, 4) float32 or None: up to K other people per frame (NaN where fewer).
    """

    image: npt.NDArray[np.float32]
    world: npt.NDArray[np.float32] | None
    timestamps: npt.NDArray[np.float64]
    frame_ids: npt.NDArray[np.int64]
    width: int
    height: int
    fps: float
    source: str = ""
    others: npt.NDArray[np.float32] | None = None

    def __len__(self) -> int:
        return int(self.timestamps.shape[0])

    def poses(self) -> list[PoseFrame | None]:
        out: list[PoseFrame | None] = []
        for i in range(len(self)):
            img = self.image[i]
            if np.isnan(img[0, 0]):
                out.append(None)
                continue
            w = None if self.world is None else self.world[i]
            t, fid = float(self.timestamps[i]), int(self.frame_ids[i])
            others: tuple[PoseFrame, ...] = ()
            if self.others is not None:
                others = tuple(
                    PoseFrame(o, t, fid, self.width, self.height)
                    for o in self.others[i]
                    if not np.isnan(o[0, 0])
                )
            out.append(PoseFrame(img, t, fid, self.width, self.height, w, others=others))
        return out

    def save(self, path: str | Path) -> None:
        arrays: dict[str, object] = {
            "image": self.image,
            "timestamps": self.timestamps,
            "frame_ids": self.frame_ids,
            "size": np.array([self.width, self.height]),
            "fps": np.array(self.fps),
            "source": np.array(self.source),
        }
        if self.world is not None:
            arrays["world"] = self.world
        if self.others is not None:
            arrays["others"] = self.others
        np.savez_compressed(path, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: str | Path) -> Track:
        with np.load(path, allow_pickle=False) as z:
            w, h = (int(v) for v in z["size"])
            return cls(
                image=z["image"].astype(np.float32),
                world=z["world"].astype(np.float32) if "world" in z else None,
                timestamps=z["timestamps"].astype(np.float64),
                frame_ids=z["frame_ids"].astype(np.int64),
                width=w,
                height=h,
                fps=float(z["fps"]),
                source=str(z["source"]) if "source" in z else "",
                others=z["others"].astype(np.float32) if "others" in z else None,
            )

    @classmethod
    def from_poses(
        cls,
        poses: list[PoseFrame | None],
        timestamps: list[float],
        width: int,
        height: int,
        fps: float,
        source: str = "",
    ) -> Track:
        n = len(poses)
        image = np.full((n, NUM_LANDMARKS, 4), np.nan, dtype=np.float32)
        world = np.full((n, NUM_LANDMARKS, 3), np.nan, dtype=np.float32)
        k = max((len(p.others) for p in poses if p is not None), default=0)
        others = np.full((n, k, NUM_LANDMARKS, 4), np.nan, dtype=np.float32) if k else None
        for i, p in enumerate(poses):
            if p is not None:
                image[i] = p.image
                if p.world is not None:
                    world[i] = p.world
                if others is not None:
                    for j, o in enumerate(p.others):
                        others[i, j] = o.image
        return cls(
            image,
            world,
            np.asarray(timestamps, dtype=np.float64),
            np.arange(n, dtype=np.int64),
            width,
            height,
            fps,
            source,
            others,
        )


class ReplayEstimator:
    """Plays a recorded :class:`Track` back, frame by frame, so tests need neither camera nor model.

    The i-th call to :meth:`detect` returns the i-th recorded pose re-stamped with the frame's
    timestamp and id (frame ids index the track when they are in range).
    """

    def __init__(self, track: Track) -> None:
        self.track = track
        self._poses = track.poses()
        self._i = 0

    def detect(self, frame: Frame) -> PoseFrame | None:
        i = frame.frame_id if 0 <= frame.frame_id < len(self._poses) else self._i
        self._i = i + 1
        if i >= len(self._poses):
            return None
        p = self._poses[i]
        if p is None:
            return None
        others = tuple(
            PoseFrame(o.image, frame.timestamp, frame.frame_id, frame.width, frame.height)
            for o in p.others
        )
        return PoseFrame(
            p.image,
            frame.timestamp,
            frame.frame_id,
            frame.width,
            frame.height,
            p.world,
            others=others,
        )

    def close(self) -> None:
        pass
