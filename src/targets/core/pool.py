"""One process pool for the run's parallel work: extracting files, writing province workbooks.

Workers ignore Ctrl-C (it reaches the whole process group; only the parent handles it), and
an interrupted or failed block stops them at once rather than waiting for their work.
"""
from __future__ import annotations

import os
import signal
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from typing import Iterator

BEHIND = 5  # niceness over the parent's: about a third of a core's share against it


def workers_for(jobs: int, tasks: int) -> int:
    """How many processes `jobs` asks for, never more than there are tasks or cores.

    >>> workers_for(8, 3) == min(3, os.cpu_count() or 1), workers_for(0, 10), workers_for(2, 0)
    (True, 1, 1)
    """
    return max(1, min(jobs, tasks, os.cpu_count() or 1))


@contextmanager
def worker_pool(workers: int, behind_parent: bool = False) -> Iterator[ProcessPoolExecutor]:
    """A process pool that is shut down with the block, or stopped when the block fails.

    `behind_parent`: the workers run at a lower priority, for work that shares the cores
    with a longer task in this process (which would otherwise finish last, and late).
    """
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                               initargs=(behind_parent,))
    try:
        yield pool
    except BaseException:
        # Ctrl-C, SIGTERM or a caller that stopped reading: the work in progress is of no use
        # any more, so stop the workers rather than wait for them (a file can take a minute).
        # No second, waiting shutdown (a `with` block's): the pool's pipes may be closed by then.
        running = list((pool._processes or {}).values())  # shutdown() forgets them
        for process in running:
            process.terminate()
        for process in running:
            process.join(timeout=5)  # gone before the caller exits: no worker outlives the run
        with suppress(OSError):
            pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _start_worker(behind_parent: bool) -> None:
    """In a worker: Ctrl-C reaches the whole process group, but only the parent handles it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the CLI's handler, inherited by fork
    if behind_parent and hasattr(os, "nice"):
        with suppress(OSError):
            os.nice(BEHIND)
