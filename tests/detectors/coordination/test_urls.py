from __future__ import annotations

import pytest

from himaya.detectors.coordination.urls import canonical_url


@pytest.mark.parametrize(("raw", "expected"), [
    ("https://www.news.example/a/b?utm_source=tw&id=3", "news.example/a/b?id=3"),
    ("http://m.news.example/a/b/?fbclid=IwAR123&id=3", "news.example/a/b?id=3"),
    ("https://mobile.twitter.com/user/status/1?s=20", "x.com/user/status/1"),
    ("https://news.example/a?b=2&a=1", "news.example/a?a=1&b=2"),           # query order does not matter
    ("https://bit.ly/3xYz?utm_source=x", "bit.ly/3xYz"),                   # shorteners kept as they are
    ("news.example/page", "news.example/page"),                            # scheme-less links
    ("https://NEWS.example./Path", "news.example/Path"),                   # host case and trailing dot
    ("https://news.example/x/index.html", "news.example/x"),
])
def test_canonical_forms(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "mailto:a@b.example", "javascript:alert(1)", "https://localhost/x",
                                 "http://[::1"])
def test_not_web_links(raw: str) -> None:
    assert canonical_url(raw) is None


def test_short_and_long_forms_stay_apart() -> None:
    # Resolving a shortener needs the network, which Himaya never uses at run time.
    assert canonical_url("https://bit.ly/abc") != canonical_url("https://news.example/abc")
