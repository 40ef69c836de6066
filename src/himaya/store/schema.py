"""The tables. Every row carries `org_id`, and every query filters on it (tenant isolation).

Identifying strings that are not needed for lookups (file paths inside an export, which
name people; thread names) are stored as ciphertext, and referenced by a keyed hash where a
join needs them (`files.path_hash` ↔ `import_files.path_hash`).

Records are keyed by their natural identity (platform + id, follows by pair) so that re-ingesting
an export, or a later export that overlaps it, upserts instead of duplicating. Sensitive values
(texts, names, profiles, problem messages) are `LargeBinary` ciphertext: see `store/crypto.py`.
Which imports saw a record is answered by `sightings` (record ↔ file) joined with
`import_files` (file ↔ import); a record's first file is in its own row (`src_file`), so
`sightings` only holds the *other* files it appeared in. A byte-identical file seen again adds no record rows at all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

metadata = sa.MetaData()


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC in and out on every backend (SQLite keeps no zone, so we strip and restore it)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _org() -> sa.Column[str]:
    return sa.Column("org_id", sa.String(64), sa.ForeignKey("organisations.id"), nullable=False)


def _provenance() -> list[sa.Column[Any]]:
    # The file is a small integer into `files` (sha256 + keyed path hash): provenance on a million
    # rows would otherwise repeat two 64-character hashes per row.
    return [
        sa.Column("first_import_id", sa.Integer, nullable=False),
        sa.Column("src_file", sa.Integer, nullable=False),
        sa.Column("src_position", sa.Text, nullable=False),
    ]


organisations = sa.Table(
    "organisations", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

org_keys = sa.Table(
    "org_keys", metadata,
    sa.Column("org_id", sa.String(64), sa.ForeignKey("organisations.id"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("wrapped_dek", sa.LargeBinary, nullable=False),
    sa.Column("kek_id", sa.String(32), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

imports = sa.Table(
    "imports", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _org(),
    sa.Column("case_name", sa.Text),
    sa.Column("input_name", sa.LargeBinary, nullable=False),
    sa.Column("input_sha256", sa.String(64), nullable=False),
    sa.Column("parsers", sa.JSON, nullable=False),
    sa.Column("options", sa.JSON, nullable=False),
    sa.Column("notes", sa.LargeBinary, nullable=False),
    sa.Column("counts", sa.JSON, nullable=False),
    sa.Column("problem_count", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.Column("reused_import_id", sa.Integer),
    sa.Index("ix_imports_org_sha", "org_id", "input_sha256"),
)

files = sa.Table(
    "files", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _org(),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("path_hash", sa.String(64), nullable=False),
    sa.UniqueConstraint("org_id", "sha256", "path_hash", name="uq_files_org_sha_path"),
)

import_files = sa.Table(
    "import_files", metadata,
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), primary_key=True),
    sa.Column("path_hash", sa.String(64), primary_key=True),
    _org(),
    sa.Column("path", sa.LargeBinary, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("parser", sa.String(64)),
    sa.Column("blob", sa.String(64)),
    sa.Index("ix_import_files_org_sha", "org_id", "sha256"),
)

problems = sa.Table(
    "problems", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _org(),
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("code", sa.String(64), nullable=False),
    sa.Column("detail", sa.LargeBinary, nullable=False),
)

accounts = sa.Table(
    "accounts", metadata,
    _org(),
    sa.Column("platform", sa.String(16), nullable=False),
    sa.Column("account_key", sa.Text, nullable=False),
    sa.Column("platform_id", sa.Text),
    sa.Column("handle", sa.Text),
    sa.Column("display_name", sa.LargeBinary),
    sa.Column("profile", sa.LargeBinary),
    sa.Column("flags", sa.Text, nullable=False, server_default=""),
    *_provenance(),
    sa.PrimaryKeyConstraint("org_id", "platform", "account_key"),
    sqlite_with_rowid=False,
)

posts = sa.Table(
    "posts", metadata,
    _org(),
    sa.Column("platform", sa.String(16), nullable=False),
    sa.Column("post_id", sa.Text, nullable=False),
    sa.Column("post_type", sa.String(16), nullable=False),
    sa.Column("author_key", sa.Text),
    sa.Column("created_at", UTCDateTime),
    sa.Column("created_at_raw", sa.Text),
    sa.Column("tz_assumed", sa.Boolean, nullable=False),
    sa.Column("text", sa.LargeBinary),
    sa.Column("language", sa.String(16)),
    sa.Column("reply_to", sa.Text),
    sa.Column("thread_id", sa.LargeBinary),
    sa.Column("quote_of", sa.Text),
    sa.Column("forward_of", sa.LargeBinary),
    sa.Column("hashtags", sa.LargeBinary),
    sa.Column("mentions", sa.LargeBinary),
    sa.Column("urls", sa.LargeBinary),
    sa.Column("url", sa.LargeBinary),
    sa.Column("collected_at", UTCDateTime),
    sa.Column("partial", sa.Boolean, nullable=False),
    sa.Column("flags", sa.Text, nullable=False, server_default=""),
    sa.Column("extra", sa.LargeBinary),
    *_provenance(),
    sa.PrimaryKeyConstraint("org_id", "platform", "post_id"),
    sa.Index("ix_posts_org_author", "org_id", "platform", "author_key"),
    sa.Index("ix_posts_org_created", "org_id", "created_at"),
    sqlite_with_rowid=False,
)

follows = sa.Table(
    "follows", metadata,
    _org(),
    sa.Column("platform", sa.String(16), nullable=False),
    sa.Column("follower_key", sa.Text, nullable=False),
    sa.Column("followed_key", sa.Text, nullable=False),
    sa.Column("relation", sa.String(16), nullable=False),
    sa.Column("followed_at", UTCDateTime),
    sa.Column("followed_at_raw", sa.Text),
    sa.Column("flags", sa.Text, nullable=False, server_default=""),
    *_provenance(),
    sa.PrimaryKeyConstraint("org_id", "platform", "followed_key", "relation", "follower_key"),
    sqlite_with_rowid=False,
)

media = sa.Table(
    "media", metadata,
    _org(),
    sa.Column("media_key", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("sha256", sa.String(64)),
    sa.Column("size", sa.BigInteger),
    sa.Column("mime", sa.String(64)),
    sa.Column("path", sa.LargeBinary),
    sa.Column("url", sa.LargeBinary),
    sa.Column("blob", sa.String(64)),
    sa.Column("display_blob", sa.String(64)),
    sa.Column("display_sha256", sa.String(64)),
    sa.Column("flags", sa.Text, nullable=False, server_default=""),
    sa.Column("extra", sa.LargeBinary),
    *_provenance(),
    sa.PrimaryKeyConstraint("org_id", "media_key"),
    sa.Index("ix_media_org_sha", "org_id", "sha256"),
    sqlite_with_rowid=False,
)

post_media = sa.Table(
    "post_media", metadata,
    _org(),
    sa.Column("platform", sa.String(16), nullable=False),
    sa.Column("post_id", sa.Text, nullable=False),
    sa.Column("media_key", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.PrimaryKeyConstraint("org_id", "platform", "post_id", "media_key"),
    sqlite_with_rowid=False,
)

sightings = sa.Table(
    "sightings", metadata,
    _org(),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("record_key", sa.Text, nullable=False),
    sa.Column("file_id", sa.Integer, nullable=False),
    sa.Column("position", sa.Text, nullable=False),
    sa.PrimaryKeyConstraint("org_id", "kind", "record_key", "file_id"),
    sa.Index("ix_sightings_file", "org_id", "file_id"),
    sqlite_with_rowid=False,
)

# Record tables are clustered on their natural key (SQLite WITHOUT ROWID): one B-tree per table
# instead of a rowid table plus a key index, which halves the work of a million-row upsert.

RECORD_TABLES = {"account": accounts, "post": posts, "follow": follows, "media": media}

# -- cases and findings (what detectors conclude, kept per case for escalation) -----------------------

cases = sa.Table(
    "cases", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _org(),
    # The same free-text label as `imports.case_name`: analysts are told not to use a defender's name.
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("org_id", "name", name="uq_cases_org_name"),
)

detector_runs = sa.Table(
    "detector_runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _org(),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
    sa.Column("detector", sa.String(32), nullable=False),
    sa.Column("detector_version", sa.String(64), nullable=False),
    sa.Column("params", sa.JSON, nullable=False),
    sa.Column("summary", sa.LargeBinary),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("finished_at", UTCDateTime),
    sa.Index("ix_detector_runs_org_case", "org_id", "case_id", "detector"),
)

findings = sa.Table(
    "findings", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _org(),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("detector_runs.id"), nullable=False),
    sa.Column("detector", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(48), nullable=False),
    sa.Column("subject_type", sa.String(16), nullable=False),
    # Keys as the record tables hold them (platform + account_key / post_id, media_key, or a detector's own id).
    sa.Column("subject_key", sa.Text, nullable=False),
    sa.Column("platform", sa.String(16)),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("band", sa.String(16)),
    # Labels, reasons and evidence quote messages and name accounts: ciphertext.
    sa.Column("detail", sa.LargeBinary, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="open"),
    sa.Column("reviewed_by", sa.Text),
    sa.Column("reviewed_at", UTCDateTime),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("updated_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("org_id", "case_id", "detector", "kind", "subject_key", name="uq_findings_subject"),
    sa.Index("ix_findings_org_case_kind", "org_id", "case_id", "detector", "kind", "score"),
)

# -- media hashes (issue 6) ----------------------------------------------------------------------------
# Perceptual hashes are stored in clear: they are what organisations exchange with platforms, they
# cannot be turned back into the picture, and matching needs them. Analysts' notes are ciphertext.

media_hashes = sa.Table(
    "media_hashes", metadata,
    _org(),
    # One row per distinct file (its sha256): the same picture in three exports is hashed once.
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),        # image, animated, video
    sa.Column("status", sa.String(16), nullable=False),      # ok, or the MediaError code (corrupt, unsupported, …)
    sa.Column("error", sa.Text),                             # why it could not be hashed (no file names)
    sa.Column("pdq", sa.String(64)),
    sa.Column("quality", sa.Integer),
    sa.Column("signals", sa.JSON, nullable=False),           # content box, frames (vPDQ), size, format
    sa.Column("hasher_version", sa.String(16), nullable=False),
    sa.Column("hashed_at", UTCDateTime, nullable=False),
    sa.PrimaryKeyConstraint("org_id", "sha256"),
    sa.Index("ix_media_hashes_org_pdq", "org_id", "pdq"),
)

known_media = sa.Table(
    "known_media", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _org(),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),      # stored (marked by an analyst), upload, partner
    # sha256 of the file, or 'pdq:<hex>' for a hash imported without its file: one entry per case.
    sa.Column("fingerprint", sa.String(72), nullable=False),
    sa.Column("media_key", sa.Text),
    sa.Column("sha256", sa.String(64)),
    sa.Column("blob", sa.String(64)),                        # an uploaded original, encrypted in the blob store
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("pdq", sa.String(64)),
    sa.Column("quality", sa.Integer),
    sa.Column("signals", sa.JSON, nullable=False),           # mirror, crop variants, frames
    sa.Column("category", sa.String(64), nullable=False),
    sa.Column("label", sa.LargeBinary),                      # the analyst's note: ciphertext
    sa.Column("partner", sa.Text),                           # bank or organisation an imported hash came from
    sa.Column("added_by", sa.Text),
    sa.Column("added_at", UTCDateTime, nullable=False),
    sa.UniqueConstraint("org_id", "case_id", "fingerprint", name="uq_known_media_fingerprint"),
    sa.Index("ix_known_media_org_case", "org_id", "case_id"),
)

media_views = sa.Table(
    "media_views", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _org(),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id")),
    sa.Column("subject", sa.Text, nullable=False),           # media_key, known:<id> or sha256
    sa.Column("view", sa.String(16), nullable=False),        # original, blurred, report
    sa.Column("viewer", sa.Text, nullable=False),
    sa.Column("reason", sa.LargeBinary),                     # why the original was opened: ciphertext
    sa.Column("viewed_at", UTCDateTime, nullable=False),
    sa.Index("ix_media_views_org_subject", "org_id", "subject"),
)
