"""One form per link: the same article shared with other tracking tags or from the mobile site is one item.

Shortened links are kept as they are (we never resolve them: no network at run time), so two
accounts sharing the same `bit.ly/…` still match, but a short and a long form of the same page do not.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SHORTENERS = frozenset({
    "bit.ly", "t.co", "tinyurl.com", "goo.gl", "ow.ly", "buff.ly", "is.gd", "cutt.ly", "rebrand.ly", "t.ly",
    "shorturl.at", "rb.gy", "tiny.cc", "lnkd.in", "fb.me", "youtu.be", "dlvr.it", "ift.tt", "s.id",
})
_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_", "_hs")
_TRACKING_KEYS = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "igshid", "igsh", "si", "s", "t", "ref", "ref_src", "ref_url", "src",
    "feature", "mibextid", "share", "spm", "__tn__", "_rdc", "_rdr", "cmpid", "ocid", "smid", "at_medium",
    "at_campaign", "rdt", "trk", "wt.mc_id",
})
_OTHER_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:(?!\d)")
_HOST_PREFIXES = ("www.", "m.", "mobile.", "mbasic.", "touch.", "web.", "amp.", "l.", "lm.")
_HOST_ALIASES = {"twitter.com": "x.com", "fb.com": "facebook.com", "instagr.am": "instagram.com",
                 "telegram.me": "t.me", "youtube-nocookie.com": "youtube.com"}


def canonical_url(url: str) -> str | None:
    """Canonical form of `url`, or None when it is not a web link."""
    raw = url.strip()
    if not raw:
        return None
    if "://" not in raw:
        if _OTHER_SCHEME.match(raw):
            return None  # mailto:, javascript:, tel: … are not web links
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or "." not in host:
        return None
    if host in SHORTENERS:
        return f"{host}{parts.path}"  # recorded as-is: where it leads is unknown offline
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
            break
    host = _HOST_ALIASES.get(host, host)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=False)
             if not (k.lower() in _TRACKING_KEYS or k.lower().startswith(_TRACKING_PREFIXES))]
    path = parts.path.rstrip("/") or ""
    if path.endswith(("/index.html", "/index.php")):
        path = path.rsplit("/", 1)[0]
    return urlunsplit(("", host, path, urlencode(sorted(query)), "")).lstrip("/")
