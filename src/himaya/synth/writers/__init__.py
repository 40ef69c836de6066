"""One module per export format; each has `write(out_dir, scenario, ...) -> Path` (the thing to ingest)."""
