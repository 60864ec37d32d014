"""Offline analysis of a recording: video -> pose track -> scoring report.

Used by ``coach analyze`` and by the tests. Decoding runs on its own thread, overlapped with
inference (OpenCV and MediaPipe both release the GIL), through a small bounded queue: a file is
analysed completely, so no frame is dropped here (unlike the live path's latest-wins mailbox).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from coach.capture.base import Frame, SourceError
from coach.capture.sources import ImageFolderSource, VideoFileSource, open_source
from coach.core.engine import (
    RECORDING_SETUP_S,
    EngineConfig,
    ExerciseEngine,
    ExerciseLike,
    ExerciseReport,
)
from coach.core.landmarks import BODY_CORE, PoseFrame
from coach.core.presence import confirmed_mask
from coach.pose.estimator import EstimatorOptions, MediaPipeEstimator, PoseEstimator, Track

log = logging.getLogger(__name__)

_CORE = [int(i) for i in BODY_CORE]


class AnalysisError(Exception):
    """The recording could not be analysed; the message is a single line for the user."""


@dataclass
class TrackingStats:
    frames: int
    fps: float
    duration_s: float
    frames_with_pose: int
    mean_visibility: float
    processing_fps: float
    width: int
    height: int
    brief_detections_rejected: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "frames": self.frames,
            "fps": round(self.fps, 3),
            "duration_s": round(self.duration_s, 2),
            "frames_with_pose": self.frames_with_pose,
            "pose_ratio": round(self.frames_with_pose / self.frames, 3) if self.frames else 0.0,
            "mean_visibility": round(self.mean_visibility, 3),
            "processing_fps": round(self.processing_fps, 1),
            "width": self.width,
            "height": self.height,
            "brief_detections_rejected": self.brief_detections_rejected,
        }


def _decode_ahead(
    source: VideoFileSource | ImageFolderSource,
    q: queue.Queue[Frame | None],
    stop: threading.Event,
    errors: list[str],
) -> None:
    try:
        while not stop.is_set():
            f = source.read()
            q.put(f)
            if f is None:
                return
    except Exception as exc:  # handed to the consumer, which reports it as one line
        log.debug("decoder failed", exc_info=True)
        errors.append(str(exc))
        q.put(None)


class _AheadReader:
    """Frames of a source decoded on their own thread, a few ahead of the model (OpenCV and
    MediaPipe both release the GIL, so decoding costs the tracker nothing)."""

    def __init__(self, source: VideoFileSource | ImageFolderSource) -> None:
        self.source = source
        self.q: queue.Queue[Frame | None] = queue.Queue(maxsize=4)
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.thread = threading.Thread(
            target=_decode_ahead,
            args=(source, self.q, self.stop, self.errors),
            name="decode",
            daemon=True,
        )
        self.thread.start()

    def read(self) -> Frame | None:
        return self.q.get()

    def close(self) -> None:
        self.stop.set()
        while self.thread.is_alive():
            try:
                self.q.get_nowait()
            except queue.Empty:
                self.thread.join(0.05)
        self.source.close()


def track_video(
    path: str | Path,
    estimator: PoseEstimator | None = None,
    options: EstimatorOptions | None = None,
    max_side: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Track, TrackingStats]:
    """Run the pose model over every frame of a video (or image folder)."""
    try:
        source = open_source(str(path), max_side=max_side)
    except SourceError as exc:
        raise AnalysisError(str(exc)) from None
    if not isinstance(source, VideoFileSource | ImageFolderSource):
        source.close()
        raise AnalysisError(f"{path}: analyze takes a video file or an image folder")
    own = estimator is None
    est: PoseEstimator = estimator or MediaPipeEstimator(options or EstimatorOptions())
    total = getattr(source, "frame_count", 0)
    poses: list[PoseFrame | None] = []
    stamps: list[float] = []
    width = height = 0
    t0 = time.perf_counter()
    reader = _AheadReader(source)
    try:
        while True:
            frame = reader.read()
            if frame is None:
                break
            width, height = frame.width, frame.height
            poses.append(est.detect(frame))
            stamps.append(frame.timestamp)
            if progress is not None:
                progress(len(poses), total)
    finally:
        reader.close()
        if own:
            est.close()
    errors = reader.errors
    elapsed = time.perf_counter() - t0
    if errors:
        raise AnalysisError(f"{path}: decoding failed after {len(poses)} frames: {errors[0]}")
    if not poses:
        raise AnalysisError(f"{path}: no video frames could be decoded (truncated or not a video)")
    raw = sum(p is not None for p in poses)
    # Stills are independent photos: only a video can show that a detection persists.
    if isinstance(source, VideoFileSource):
        keep = confirmed_mask([p is not None for p in poses], stamps)
    else:
        keep = [True] * len(poses)
    poses = [p if k else None for p, k in zip(poses, keep)]
    track = Track.from_poses(poses, stamps, width, height, source.fps, source=Path(path).name)
    stats = stats_for(track, elapsed)
    stats.brief_detections_rejected = raw - stats.frames_with_pose
    return track, stats


#: Every segment after the first starts this many seconds early; those frames let the model's
#: tracker settle and are then discarded. Measured on the 10 shared exercise clips with seams
#: placed where the person is still: from 1 s of overlap the merged result has exactly the reps,
#: holds and faults of a single pass (a seam in mid-movement could leave a borderline fault
#: different, even with 2 s). 1.5 s keeps a margin.
SEGMENT_OVERLAP_S = 1.0
#: Shorter videos are not worth splitting (process start-up would eat the gain).
MIN_PARALLEL_FRAMES = 120


_WORKER_ESTIMATOR: MediaPipeEstimator | None = None


def _init_worker(variant: str) -> None:
    """Pool initializer: load the model while the parent is already tracking its segment."""
    global _WORKER_ESTIMATOR
    try:
        _WORKER_ESTIMATOR = MediaPipeEstimator(EstimatorOptions(variant=variant))
    except Exception:  # a raising initializer is restarted by the pool for ever; instead the
        # segment task builds the estimator again and its error (one line) ends the run.
        log.debug("worker model load failed", exc_info=True)
        _WORKER_ESTIMATOR = None


def _track_segment(args: tuple[str, int, int, int, str, int | None]) -> _Part:
    """Worker: track frames [start, end) of a video; keep only frames from ``keep_from`` on."""
    global _WORKER_ESTIMATOR
    path, start, end, keep_from, variant, max_side = args
    # One segment per worker process, so its preloaded estimator starts with a fresh tracker.
    est, _WORKER_ESTIMATOR = _WORKER_ESTIMATOR, None
    seg = _SegmentTracker(path, variant, max_side, start=start, estimator=est)
    try:
        seg.run_until(end)
    finally:
        seg.close()
    return seg.part(keep_from)


SEAM_SEARCH_S = 1.5


def _still_seam(path: str | Path, target: int, fps: float, n: int) -> int:
    """The frame near ``target`` where the picture moves least: a seam where the person is still,
    so the second tracker settles into the state a single pass would have. Decodes only a few
    seconds of small grey frames around the target."""
    import cv2

    half = int(SEAM_SEARCH_S * fps)
    lo, hi = max(1, target - half), min(n - 1, target + half)
    cap = cv2.VideoCapture(str(path))
    try:
        cap.set(cv2.CAP_PROP_POS_FRAMES, lo)
        prev = None
        motion: list[float] = []
        for _ in range(lo, hi):
            ok, bgr = cap.read()
            if not ok:
                break
            g = cv2.resize(
                cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), (64, 36), interpolation=cv2.INTER_AREA
            ).astype(np.float32)
            motion.append(0.0 if prev is None else float(np.abs(g - prev).mean()))
            prev = g
    finally:
        cap.release()
    if len(motion) < 3:
        return target
    w = max(1, int(0.5 * fps))  # stillness over half a second
    m = np.convolve(np.asarray(motion), np.ones(w) / w, mode="same")
    # prefer the stillest moment; break ties toward the balanced split
    dist = np.abs(np.arange(len(m)) + lo - target) / max(1, half)
    return int(lo + np.argmin(m * (1.0 + 2.0 * dist)))


class _SegmentTracker:
    """One tracker's share of a video: frames from ``start``, tracked one at a time (decoded
    ahead on a thread) until told where to stop. The parent and every worker use it."""

    def __init__(
        self,
        path: str | Path,
        variant: str,
        max_side: int | None,
        start: int = 0,
        estimator: MediaPipeEstimator | None = None,
    ) -> None:
        self.path = path
        self.start = start
        self.est = estimator or MediaPipeEstimator(EstimatorOptions(variant=variant))
        video = VideoFileSource(path, max_side=max_side)
        if start:
            video.seek(start)
        self.source = _AheadReader(video)
        self.ids: list[int] = []
        self.images: list[npt.NDArray[np.float32] | None] = []
        self.worlds: list[npt.NDArray[np.float32] | None] = []
        self.others: list[tuple[npt.NDArray[np.float32], ...]] = []  # other people in the frame
        self.w = self.h = 0

    def step(self) -> bool:
        """Track the next frame; False at the end of the video."""
        frame = self.source.read()
        if frame is None:
            return False
        self.w, self.h = frame.width, frame.height
        pose = self.est.detect(frame)
        self.ids.append(frame.frame_id)
        self.images.append(None if pose is None else pose.image)
        self.worlds.append(None if pose is None else pose.world)
        self.others.append(() if pose is None else tuple(o.image for o in pose.others))
        return True

    def run_until(self, end: int) -> None:
        """Track until frame ``end`` (exclusive) or the end of the video."""
        while self.start + len(self.ids) < end and self.step():
            pass

    def part(self, keep_from: int) -> _Part:
        """The tracked frames from ``keep_from`` on (the warm-up overlap before it dropped)."""
        if self.source.errors:
            raise AnalysisError(
                f"{self.path}: decoding failed near frame {self.start + len(self.ids)}: "
                f"{self.source.errors[0]}"
            )
        k = next((i for i, f in enumerate(self.ids) if f >= keep_from), len(self.ids))
        return keep_from, self.images[k:], self.worlds[k:], self.w, self.h, self.others[k:]

    def close(self) -> None:
        self.est.close()
        self.source.close()


def _seams(path: str | Path, n: int, workers: int, overlap: int, fps: float) -> list[int]:
    """Where each tracker stops (the last is ``n``): equal work for all, a worker's warm-up overlap
    counted, each seam where the person is still."""
    work = (n + (workers - 1) * overlap) / workers
    targets = [round(work + i * (work - overlap)) for i in range(workers - 1)]
    seams: list[int] = []
    for t in targets:  # a seam never falls before the one before
        low = (seams[-1] if seams else 0) + 1
        seams.append(min(n - 1, max(low, _still_seam(path, t, fps, n))))
    return [*seams, n]


def track_video_parallel(
    path: str | Path, workers: int = 2, variant: str = "full", max_side: int | None = None
) -> tuple[Track, TrackingStats]:
    """Track a video with one model instance per worker process, on overlapping segments.

    Segment i covers its share of the frames plus ``SEGMENT_OVERLAP_S`` before it; the overlap is
    tracked but discarded, so each kept frame was seen by a tracker that had already locked on.
    The merged track is then gated and scored in one sequential pass: no rep can be counted twice
    or lost at a seam.
    """
    try:
        probe = VideoFileSource(path, max_side=max_side)
    except SourceError as exc:
        raise AnalysisError(str(exc)) from None
    n, fps = probe.frame_count, probe.fps
    probe.close()
    if workers < 2 or n < MIN_PARALLEL_FRAMES:
        return track_video(path, options=EstimatorOptions(variant=variant), max_side=max_side)
    overlap = int(round(SEGMENT_OVERLAP_S * fps))
    # Too short to be worth it if each tracker would get less than a second of new frames.
    if (n + (workers - 1) * overlap) / workers - overlap < fps:
        return track_video(path, options=EstimatorOptions(variant=variant), max_side=max_side)
    # The model is checked once here, before any worker starts: a missing or damaged model is
    # one line for the user, not a pool of workers failing to start.
    from coach.pose.model import ModelError, ensure_model

    try:
        ensure_model(variant)
    except ModelError as exc:
        raise AnalysisError(str(exc)) from None
    # Workers are spawned, never forked: a process that has run MediaPipe before (a test run,
    # the app) holds native threads and locks Python cannot see, and a forked worker creating a
    # landmarker then aborts (seen with mediapipe 0.10.21; the pool restarted it for ever).
    # The parent tracks the first segment itself while the workers start and track the others,
    # so a spawned worker's start-up (Python and the model, ~0.7 s) overlaps work instead of
    # delaying it. The seams depend on the video alone (never on how fast a worker started), so
    # the same file always gives the same track.
    t0 = time.perf_counter()
    parts = _track_segments(path, n, workers, overlap, fps, variant, max_side)
    return _merge_parts(path, parts, fps, t0)


#: One tracked segment: (first kept frame, image landmarks, world landmarks, width, height,
#: other people's image landmarks), as :func:`_track_segment` and ``_HeadTracker.part`` give it.
_Part = tuple[
    int,
    list[npt.NDArray[np.float32] | None],
    list[npt.NDArray[np.float32] | None],
    int,
    int,
    list[tuple[npt.NDArray[np.float32], ...]],
]


def _track_segments(
    path: str | Path,
    n: int,
    workers: int,
    overlap: int,
    fps: float,
    variant: str,
    max_side: int | None,
) -> list[_Part]:
    """Track the video's segments: the first on this process, the others on ``workers - 1``
    spawned workers (see :func:`track_video_parallel`)."""
    from coach.pose.model import unwind_on_termination

    ctx = mp.get_context("spawn")
    # SIGTERM unwinds like Ctrl-C, so leaving the block terminates the workers (no orphans).
    with (
        unwind_on_termination(),
        ctx.Pool(workers - 1, initializer=_init_worker, initargs=(variant,)) as pool,
    ):
        # Chosen with OpenCV on this thread while the workers start (spawned with exec, so no
        # lock of this process can be copied into them).
        bounds = _seams(path, n, workers, overlap, fps)
        jobs = [
            (str(path), max(0, bounds[i] - overlap), bounds[i + 1], bounds[i], variant, max_side)
            for i in range(workers - 1)
        ]
        pending = pool.map_async(_track_segment, jobs, chunksize=1)
        head = _SegmentTracker(path, variant, max_side)
        try:
            head.run_until(bounds[0])
        finally:
            head.close()
        tail = pending.get()
    return [head.part(0), *tail]


def _merge_parts(
    path: str | Path, parts: list[_Part], fps: float, t0: float
) -> tuple[Track, TrackingStats]:
    """Join the segments in frame order, gate brief detections (:func:`confirmed_mask`) and
    build the track and its stats (processing time counted from ``t0``)."""
    images: list[npt.NDArray[np.float32] | None] = []
    worlds: list[npt.NDArray[np.float32] | None] = []
    others: list[tuple[npt.NDArray[np.float32], ...]] = []
    w = h = 0
    for _keep, imgs, wlds, pw, ph, oth in sorted(parts, key=lambda p: p[0]):
        images.extend(imgs)
        worlds.extend(wlds)
        others.extend(oth)
        w, h = (pw or w), (ph or h)
    elapsed = time.perf_counter() - t0
    if not images:
        raise AnalysisError(f"{path}: no video frames could be decoded (truncated or not a video)")
    stamps = [i / fps for i in range(len(images))]
    raw = sum(im is not None for im in images)
    keep = confirmed_mask([im is not None for im in images], stamps)
    poses: list[PoseFrame | None] = [
        PoseFrame(
            im,
            stamps[i],
            i,
            w,
            h,
            worlds[i],
            others=tuple(PoseFrame(o, stamps[i], i, w, h) for o in others[i]),
        )
        if (im is not None and keep[i])
        else None
        for i, im in enumerate(images)
    ]
    track = Track.from_poses(poses, stamps, w, h, fps, source=Path(path).name)
    stats = stats_for(track, elapsed)
    stats.brief_detections_rejected = raw - stats.frames_with_pose
    return track, stats


def stats_for(track: Track, elapsed: float | None = None) -> TrackingStats:
    found = ~np.isnan(track.image[:, 0, 0])
    n = len(track)
    vis = float(np.nanmean(track.image[found][:, _CORE, 3])) if found.any() else 0.0
    return TrackingStats(
        frames=n,
        fps=track.fps,
        duration_s=n / track.fps if track.fps else 0.0,
        frames_with_pose=int(found.sum()),
        mean_visibility=vis,
        processing_fps=(n / elapsed) if elapsed else 0.0,
        width=track.width,
        height=track.height,
    )


def score_track(
    track: Track, exercise: ExerciseLike, config: EngineConfig | None = None
) -> ExerciseReport:
    """Run the scoring engine over a recorded track and return its report."""
    engine = ExerciseEngine(exercise, config or EngineConfig(setup_s=RECORDING_SETUP_S))
    for pose, ts in zip(track.poses(), track.timestamps.tolist()):
        engine.update(pose, ts)
    engine.finish()
    return engine.report()


def default_workers() -> int:
    """Model instances for one analysis: one (``--workers`` or ``COACH_WORKERS`` for more).

    A single pass is bit-reproducible and what `coach session` and the app see; ``--workers 2``
    is ~1.5 times faster on a 2-core machine (the parent and one spawned worker track a segment
    each; README, Speed) with the same reps, holds and faults on the tested clips.
    """
    env = os.environ.get("COACH_WORKERS")
    if env and env.isdigit():
        return max(1, int(env))
    return 1


def load_input(
    path: str | Path,
    options: EstimatorOptions | None = None,
    max_side: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> tuple[Track, TrackingStats]:
    """A video/image folder is tracked with the model; a ``.npz`` track is replayed as recorded.

    Videos use every core (:func:`track_video_parallel`) unless ``workers`` is 1.
    """
    p = Path(path)
    if p.suffix.lower() == ".npz":
        if not p.exists():
            raise AnalysisError(f"{p}: no such file")
        try:
            track = Track.load(p)
        except (OSError, ValueError, KeyError) as exc:
            raise AnalysisError(f"{p}: not a coach landmark track ({exc})") from None
        return track, stats_for(track)
    n = default_workers() if workers is None else workers
    if (
        n > 1
        and p.is_file()
        and p.suffix.lower() not in (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
    ):
        variant = (options or EstimatorOptions()).variant
        return track_video_parallel(p, workers=n, variant=variant, max_side=max_side)
    return track_video(p, options=options, max_side=max_side, progress=progress)


# ---------------------------------------------------------------------------------------------
# Batch: a folder of recordings, one process (one model) per core.
