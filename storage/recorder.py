"""Records a training run in the database as it happens: the observer the engine reports to."""

import threading
from collections.abc import Callable

from sqlalchemy import Engine

from pipeline_core.errors import PipelineCoreError
from pipeline_core.train.results import TrainedModel, TrainObserver, TrainResult
from storage import repo
from storage.artifacts import ArtifactStore
from storage.db import session_scope


class RunRecorder:
    """Writes progress, each finished model and the final status of one run, each in its own transaction.

    A lock orders the writes, so a run abandoned from another thread is never written to afterwards.
    """

    def __init__(self, engine: Engine, store: ArtifactStore, run_id: int) -> None:
        self.engine, self.store, self.run_id = engine, store, run_id
        self._lock, self._ended = threading.Lock(), False

    def record(self, work: Callable[[TrainObserver], TrainResult]) -> str:
        """Run `work` with this recorder as its observer; return the run's final status.

        An error the engine raises on purpose (bad data or spec) fails the run with its message;
        anything else fails it too, with the error's type, so no run is ever left 'running'.
        """
        with session_scope(self.engine) as session:
            repo.start_run(session, run_id=self.run_id)
        try:
            result = work(self)
        except PipelineCoreError as error:
            return self._finish("failed", error=str(error))
        except Exception as error:  # noqa: BLE001 - recorded on the run, shown on the page
            return self._finish("failed", error=f"Unexpected error: {type(error).__name__}: {error}")
        return self._finish(
            result.status,
            error=result.error,
            primary_metric=result.primary_metric,
            n_train=result.n_train,
            n_test=result.n_test,
        )

    def abandon(self, status: str) -> None:
        """End the run now, from another thread, whatever the engine is doing; later writes are dropped."""
        self._finish(status)

    def _finish(self, status: str, **fields) -> str:
        self._write(repo.finish_run, ends=True, status=status, **fields)
        return status

    def _write(self, change: Callable, *, ends: bool = False, **fields) -> None:
        with self._lock:
            if self._ended:
                return
            with session_scope(self.engine) as session:
                change(session, run_id=self.run_id, **fields)
            self._ended = ends

    def on_start(self, n_train: int, n_test: int) -> None:
        self._write(repo.record_split, n_train=n_train, n_test=n_test)

    def on_progress(self, done: float, total: float, message: str) -> None:
        self._write(repo.update_progress, progress=done / total, message=message)

    def should_stop(self) -> bool:
        with session_scope(self.engine) as session:
            return repo.is_cancel_requested(session, run_id=self.run_id)

    def on_model_finished(self, result: TrainedModel) -> None:
        self._write(lambda session, **ids: repo.add_model_result(session, self.store, result=result, **ids))

    def on_fold_scores(self, scores: dict[str, list[float | None]]) -> None:
        self._write(repo.record_fold_scores, scores=scores)

    def on_model_file(self, result: TrainedModel) -> None:
        self._write(
            lambda session, run_id: repo.set_model_file(
                session,
                self.store,
                result_id=repo.model_result_id(session, run_id=run_id, key=result.key),
                data=result.model_file,
            )
        )
