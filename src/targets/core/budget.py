"""A wall-clock budget for reading one file: past it, the reader is stopped and the file fails alone.

SIGALRM, so only in the main thread (a worker process's own main thread included); elsewhere
there is no timer. A reader that knows it has long work ahead (OCR of many pages) extends it.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator


class OverBudget(BaseException):
    """Raised by the timer inside a reader. Not an Exception: readers that catch every
    Exception of a broken file must not take the end of the budget for one."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise OverBudget in the body after `seconds` of wall-clock time (main thread only)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def over(signum, frame):
        raise OverBudget()

    previous = signal.signal(signal.SIGALRM, over)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def extend_budget(seconds: float) -> None:
    """Give the running budget `seconds` more, if one runs."""
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        if left > 0:
            signal.setitimer(signal.ITIMER_REAL, left + seconds)
