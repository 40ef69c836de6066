"""Both cores for the numpy-heavy stages: slices run in threads (numpy releases the GIL on large arrays).

Results come back in order, and at most `workers` slices run ahead of the one being consumed, so
memory holds a few slices' results, not all of them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

WORKERS = 2


def ordered_map(fn: Callable[[T], R], items: Iterable[T], workers: int = WORKERS) -> Iterator[R]:
    """`map(fn, items)` in `workers` threads, in order, with a bounded look-ahead."""
    if workers <= 1:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[R]] = deque()
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) > workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
