"""Inauthentic follower waves: bursts of follows against an organic rate model, and a per-follower score.

Pipeline: `data` (exports → arrays) → `waves` (organic rate, surprising bursts) → `handles`
(shape families, edit-distance clusters) + `profile_model` (shipped model on profile fields) →
`scoring` (score, band, reasons) → `report` (CSV, HTML, findings). `simulate` makes scenarios
with ground truth and `evaluate` measures the whole chain on them.
"""

DETECTOR = "followers"
VERSION = "1"
