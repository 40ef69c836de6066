"""Every copy of a known picture or video: sha256, PDQ and vPDQ hashes, a crop-tolerant second matcher,
a multi-index Hamming index, known-media lists per case, hash-list exchange and analyst protection.

    decode.py     bytes → frames, with limits (decompression bombs, frame counts, codecs)
    pdq.py        PDQ hashes as 32 bytes / hex, Hamming distance
    signals.py    MediaSignals: every hash of one file (full, mirror, crops, frames)
    vpdq.py       video frames at 1 fps, collapsed, and vPDQ's match percentages
    index.py      multi-index hashing over 16 × 16-bit chunks
    matcher.py    known signals ↔ query signals: which matcher, which distance
    store.py      the media tables: hashes, known lists, view audit log
    scan.py       hash stored media, match against the known lists, write `media_match` findings
    exchange.py   PDQ hash lists in ThreatExchange / HMA formats
    protect.py    blurred thumbnails and audited originals
    evaluate.py   the transform suite: recall and false-match rate
"""

DETECTOR = "media"
VERSION = "1"
