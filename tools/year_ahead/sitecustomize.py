"""Loaded by `make test-year-ahead` only: time.sleep that survives libfaketime.

With FAKETIME_DONT_FAKE_MONOTONIC=1 (needed: a faked monotonic clock makes every timed lock wait
forever), libfaketime 0.9.10 still shifts the absolute deadline Python's time.sleep hands to
clock_nanosleep, which then fails with EINVAL. select() takes a relative timeout instead.
"""

import select
import time


def _sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    select.select([], [], [], seconds)


time.sleep = _sleep
