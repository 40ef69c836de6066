from __future__ import annotations

from pathlib import Path

import pytest

from himaya.detectors.content.datasets import default_data_root
from himaya.detectors.content.detector import ContentDetector

SHARED_DATA = default_data_root()
needs_shared_data = pytest.mark.skipif(not (SHARED_DATA / "SOURCES.md").is_file(),
                                       reason=f"../shared/data not found at {SHARED_DATA}")


@pytest.fixture(scope="session")
def detector() -> ContentDetector:
    return ContentDetector()


@pytest.fixture
def data_root() -> Path:
    return SHARED_DATA
