"""One process pool for the run's parallel work: extracting files and the documents of a
large one, writing province workbooks; and their results taken in order.

Workers ignore Ctrl-C (it reaches the whole process group; only the parent handles it), and
an interrupted or failed block stops them at once rather than waiting for their work. A
parent that dies without unwinding (SIGKILL, a crash) takes its workers with it.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections import deque
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from itertools import islice
from typing import TYPE_CHECKING, Any, Iterator, TypeVar

from targets.core.stopping import signals_held, undone_if_stopped

if TYPE_CHECKING:  # imported with the first pool: a run of one file starts none
    from concurrent.futures import ProcessPoolExecutor

BEHIND = 5  # niceness over the parent's: about a third of a core's share against it
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies
PARENT_CHECK_S = 0.5  # elsewhere, how often a worker looks whether its parent is still there


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
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker,
                               initargs=(behind_parent, os.getpid()))
    try:
        with undone_if_stopped(lambda: _stop_workers(pool)):
            # Start the workers with SIGINT and SIGTERM held: one that lands between a fork
            # and the pool's note of the new worker would leave a worker nobody stops. With
            # the fork start method the first task starts them all, before submit returns.
            with signals_held():
                pool.submit(int)
            yield pool
    except BaseException:
        # A caller that failed or stopped reading: the work in progress is of no use any
        # more, so stop the workers rather than wait for them (a file can take a minute).
        # No second, waiting shutdown (a `with` block's): the pool's pipes may be closed by then.
        manager = pool._executor_manager_thread  # shutdown() forgets it
        _stop_workers(pool)
        with suppress(OSError):
            pool.shutdown(wait=False, cancel_futures=True)
        # Its manager thread closes the pool's wakeup pipe as it ends; CPython's exit hook
        # writes to that pipe without a lock (EBADF, "Exception ignored"): let it end first.
        if manager is not None:
            manager.join(timeout=5)
        raise
    pool.shutdown(wait=True)


T = TypeVar("T")


def in_order(futures: Iterator["Future[T]"], window: int) -> Iterator[T]:
    """The results of `futures` in their order, with at most `window` of them drawn from the
    iterator and not yet consumed: `futures` submits its work as it is drawn, so finished
    results never pile up in memory, however much work there is.

    >>> list(in_order(iter([done(1), done(2), done(3)]), 2))
    [1, 2, 3]
    """
    pending = deque(islice(futures, window))
    while pending:
        result = pending.popleft().result()
        pending.extend(islice(futures, 1))  # keep the workers busy while the caller writes
        yield result


def done(value: Any) -> Future:
    """A future that already holds `value`: work done in this process, in line with the pool's."""
    future: Future = Future()
    future.set_result(value)
    return future


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    import multiprocessing

    # The pool's own list (which shutdown() forgets), and any worker started and not yet in
    # it: where workers start one at a time (spawn), a signal may land between the two.
    running = {*(pool._processes or {}).values(), *multiprocessing.active_children()}
    for process in running:
        process.terminate()
    for process in running:
        process.join(timeout=5)  # gone before the caller exits: no worker outlives the run


def _start_worker(behind_parent: bool, parent: int) -> None:
    """In a worker: Ctrl-C reaches the whole process group, but only the parent handles it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the CLI's handler, inherited by fork
    if hasattr(signal, "pthread_sigmask"):  # forked while the parent held them back
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    _die_with_parent(parent)
    if behind_parent and hasattr(os, "nice"):
        with suppress(OSError):
            os.nice(BEHIND)


def _die_with_parent(parent: int) -> None:
    """End this worker when `parent` dies, however it dies: an orphan would work on for nothing.

    Linux sends the signal when the thread that forked the worker ends: the pool's workers
    are forked by the thread that submits to it, the main thread, which lives as long as
    the process. Elsewhere a daemon thread looks every PARENT_CHECK_S whether it is gone.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        # The process's own symbols hold libc's (ctypes.util.find_library would run ldconfig,
        # a child process of each worker).
        libc = ctypes.CDLL(None)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
            if os.getppid() != parent:  # it died before the call: no signal will come
                os._exit(1)
            return
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(1)
