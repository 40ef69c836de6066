"""Settings, read from the environment (`HIMAYA_*`). Every setting is documented in docs/configuration.md."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ArchiveLimits(BaseModel):
    """Caps applied to every ZIP before a byte of it is parsed (zip bombs, SECURITY.md T25)."""

    max_total_bytes: int = Field(16 * 1024**3, description="total uncompressed bytes an archive may hold")
    max_member_bytes: int = Field(8 * 1024**3, description="uncompressed bytes one member may hold")
    max_entries: int = Field(200_000, description="members an archive may list")
    max_ratio: float = Field(200.0, description="uncompressed/compressed ratio allowed for a member over 1 MiB")
    max_name_length: int = Field(1024, description="characters in a member name")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HIMAYA_", env_nested_delimiter="__", extra="ignore")

    home: Path = Field(Path("himaya-data"), description="where the SQLite store, blobs and keys live")
    database_url: str | None = Field(None, description="SQLAlchemy URL; PostgreSQL for deployments. Default: SQLite in HOME")
    key_file: Path | None = Field(None, description="master key file (32 random bytes). Default: HOME/keys/master.key, created 0600")
    encrypt: bool = Field(True, description="encrypt sensitive columns and blobs at rest")
    org: str = Field("default", description="organisation the CLI acts for")
    archive: ArchiveLimits = Field(default_factory=ArchiveLimits)
    max_line_bytes: int = Field(16 * 1024 * 1024, description="longest line a line-based format may have")
    ocr_timeout_s: float = Field(30.0, description="seconds before tesseract is killed")

    @property
    def sqlite_path(self) -> Path:
        return self.home / "himaya.db"

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def blob_dir(self) -> Path:
        return self.home / "blobs"

    @property
    def master_key_path(self) -> Path:
        return self.key_file or (self.home / "keys" / "master.key")
