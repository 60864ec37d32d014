"""Many recordings at once (``coach analyze FOLDER``): one report per file, in parallel processes."""

from __future__ import annotations

import logging
import multiprocessing as mp
from collections.abc import Callable
from pathlib import Path

from coach.analysis.video import AnalysisError, default_workers, load_input, score_track
from coach.capture.base import SourceError
from coach.pose.estimator import EstimatorOptions

log = logging.getLogger(__name__)


def find_videos(folder: Path) -> list[Path]:
    from coach.capture.sources import VIDEO_SUFFIXES

    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES)


def _analyze_one(args: tuple[str, str | None, str, str, int | None]) -> dict[str, object]:
    """Worker: the full single-video report, or the error as one line (never raises)."""
    path, exercise_id, mode, variant, max_side = args
    report: dict[str, object] = {"video": path}
    try:
        track, stats = load_input(
            Path(path), EstimatorOptions(variant=variant), max_side=max_side, workers=1
        )
        report.update(stats.as_dict())
        if stats.frames_with_pose == 0:
            report["error"] = "no person found"
            return report
        if exercise_id:
            from coach.routines.catalogue import load_catalogue

            report.update(score_track(track, load_catalogue().get(exercise_id)).as_dict())
        elif mode == "posture":
            from coach.analysis.posture import analyze_posture

            report["posture"] = analyze_posture(track).as_dict()
        elif mode == "lifting":
            from coach.analysis.lifting import analyze_lifting

            report.update(analyze_lifting(track).as_dict())
    except (AnalysisError, SourceError) as exc:
        report["error"] = str(exc)
    except Exception as exc:  # one bad file must not sink the batch; say what happened
        log.exception("analysis of %s failed", path)
        report["error"] = f"{type(exc).__name__}: {exc}"
    return report


def analyze_batch(
    videos: list[Path],
    exercise_id: str | None = None,
    mode: str = "",
    variant: str = "full",
    max_side: int | None = None,
    workers: int | None = None,
    progress: Callable[[int, int, dict[str, object]], None] | None = None,
) -> list[dict[str, object]]:
    """Analyse many recordings in parallel; results in the order given."""
    n = workers or default_workers()
    jobs = [(str(v), exercise_id, mode, variant, max_side) for v in videos]
    results: dict[str, dict[str, object]] = {}
    if n <= 1 or len(jobs) <= 1:
        for i, j in enumerate(jobs, 1):
            r = _analyze_one(j)
            results[j[0]] = r
            if progress:
                progress(i, len(jobs), r)
    else:
        with mp.get_context("spawn").Pool(min(n, len(jobs))) as pool:  # see track_video_parallel
            for i, r in enumerate(pool.imap_unordered(_analyze_one, jobs), 1):
                results[str(r["video"])] = r
                if progress:
                    progress(i, len(jobs), r)
    return [results[j[0]] for j in jobs]
