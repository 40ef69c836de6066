"""QUT's coordination-network-toolkit on the same posts, for the side-by-side comparison (bench extra only).

Its co-tweet + co-similar-text + co-link networks at the same Δt; an account is flagged when it has
an edge of weight >= `min_weight` (the same minimum number of co-actions as ours), and campaigns are
the connected components of the union of those edges.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from contextlib import redirect_stdout
from io import StringIO
from pathlib import Path
from typing import Any

from himaya.detectors.coordination.features import PostInput


def toolkit_available() -> bool:
    try:
        import coordination_network_toolkit  # noqa: F401
    except ImportError:
        return False
    return True


def _repost_of(p: PostInput) -> str | None:
    # A share known only by its link is a repost to the toolkit too, so its empty text is not a "co-tweet".
    return p.forward_of or p.quote_of or (p.urls[0] if p.post_type == "share" and p.urls else None)


def run_toolkit(posts: Sequence[PostInput], *, window: int = 60, min_weight: int = 3,
                similarity: float = 0.5, min_words: int = 4) -> tuple[dict[str, int], float]:
    """Flagged account -> component id, and the seconds the toolkit took (load + three networks)."""
    import sqlite3

    from coordination_network_toolkit import compute_networks as cn
    from coordination_network_toolkit.preprocess import preprocess_data
    from coordination_network_toolkit.similarity import get_similarity_fn_from_min_size

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "cnt.db")
        rows: Any = ((p.post_id, p.author, p.handle or "", _repost_of(p), p.reply_to, p.text, float(p.time),
                      list(p.urls)) for p in posts if p.time is not None)
        start = time.perf_counter()
        with redirect_stdout(StringIO()):
            preprocess_data(db, rows)
            cn.compute_co_tweet_network(db, window, min_edge_weight=min_weight, n_threads=2)
            cn.compute_co_similar_tweet(db, window, n_threads=2, similarity_threshold=similarity,
                                        min_edge_weight=min_weight,
                                        similarity_function=get_similarity_fn_from_min_size(min_words))
            cn.compute_co_link_network(db, window, n_threads=2, min_edge_weight=min_weight)
        seconds = time.perf_counter() - start
        con = sqlite3.connect(db)
        edges: list[tuple[str, str]] = []
        for table in ("co_tweet_network", "co_similar_tweet_network", "co_link_network"):
            edges += [(a, b) for a, b in con.execute(
                f"select user_1, user_2 from {table} where user_1 != user_2 and weight >= ?", (min_weight,))]  # noqa: S608
        con.close()
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[root(a)] = root(b)
    roots = sorted({root(x) for x in parent})
    index = {r: i for i, r in enumerate(roots)}
    return {x: index[root(x)] for x in parent}, seconds
