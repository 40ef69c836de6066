"""Small hand-built posts for coordination tests."""

from __future__ import annotations

from himaya.detectors.coordination.features import PostInput
from himaya.detectors.coordination.media import MediaRef

T0 = 1_741_000_000  # 2025-03-03, an arbitrary origin


def post(author: str, t: float | None, text: str = "", *, pid: str | None = None, platform: str = "x",
         urls: tuple[str, ...] = (), tags: tuple[str, ...] = (), reply_to: str | None = None,
         forward_of: str | None = None, post_type: str = "post", media: tuple[MediaRef, ...] = ()) -> PostInput:
    post.counter += 1  # type: ignore[attr-defined]
    return PostInput(platform, pid or f"p{post.counter}", f"{platform}|id:{author}",  # type: ignore[attr-defined]
                     None if t is None else T0 + t, text, author, author, post_type, tags, urls, reply_to,
                     forward_of, None, media)


post.counter = 0  # type: ignore[attr-defined]

SMEAR = ("the activist is a paid agent of foreign embassies and betrays our values",
         "activist is a bought agent of foreign embassies who betrays our values 😡",
         "our values betrayed by the activist, a paid agent of foreign embassies",
         "the activist a paid tool of foreign embassies and betrays our values ‼️")


def network(members: list[str], waves: int, *, start: float = 0, gap: float = 7200, jitter: float = 20,
            platform: str = "x") -> list[PostInput]:
    """`members` each posting a paraphrase of the smear and the same link in every wave, within `jitter` s."""
    out = []
    for w in range(waves):
        for i, m in enumerate(members):
            t = start + w * gap + (i * 7) % max(1, int(jitter))
            out.append(post(m, t, SMEAR[(w + i) % len(SMEAR)] + f" #expose #wave{w % 3}", platform=platform,
                            urls=(f"https://smear.example/story-{w}?utm_source={i}",), tags=("expose", f"wave{w % 3}")))
    return out
