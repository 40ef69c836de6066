"""Coordinated accounts and campaigns across platforms: co-action within Δt, tested against chance.

Pipeline: `features` (posts → items per channel) → `coaction` (who met whom within Δt) →
`significance` (more than chance?) → `communities` (Leiden) → `campaigns` (summaries) → `surges`;
`explain` gives the evidence for one pair; `store` runs it on a case; `simulate` and `evaluate`
measure it. See docs/detectors/coordination.md.
"""
