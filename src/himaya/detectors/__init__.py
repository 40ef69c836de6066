"""Detectors: records in, findings out (one package per detector)."""
