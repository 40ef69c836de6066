"""Reports: self-contained HTML files (no script, no network, strict CSP) and SVG charts."""
