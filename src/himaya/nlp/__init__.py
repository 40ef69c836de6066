"""Text handling shared by the detectors: matching form, script and language, transliteration."""
