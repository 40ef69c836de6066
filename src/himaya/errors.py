"""Every error Himaya raises on purpose.

    HimayaError                 exit code 1 unless a subclass says otherwise
    ├── ConfigError             settings missing or unsafe (exit 2)
    ├── StoreError              the database or blob store refused an operation
    │   └── EncryptionError     a ciphertext failed authentication, or the key is wrong
    └── IngestError             an input cannot be ingested at all (nothing is committed)
        ├── UnsupportedFormatError   no parser recognises the input
        ├── UnsafeArchiveError       zip bomb, zip slip, symlink, encrypted or malformed archive
        └── HimayaParseError         a file inside an export is unreadable (names file + position)
            └── TimestampError       a time value cannot be read or is out of range

Record-level problems are not exceptions: parsers report them through `ParseContext.report`
so that one bad record never sinks the others.
"""

from __future__ import annotations


class HimayaError(Exception):
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(HimayaError):
    exit_code = 2


class StoreError(HimayaError):
    pass


class EncryptionError(StoreError):
    pass


class IngestError(HimayaError):
    pass


class UnsupportedFormatError(IngestError):
    pass


class UnsafeArchiveError(IngestError):
    pass


class HimayaParseError(IngestError):
    """A file-level parse failure: the file, the position and the reason."""

    def __init__(self, message: str, *, path: str = "", position: str = "") -> None:
        where = ", ".join(p for p in (path, position) if p)
        super().__init__(f"{where}: {message}" if where else message)
        self.path = path
        self.position = position
        self.reason = message


class TimestampError(HimayaParseError):
    pass
