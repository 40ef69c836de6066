"""Cases: the unit an analyst works in. Imports are tagged with a case; detectors read a case's records
and write their findings into it; escalation (later) sends a case's findings to platforms."""

from himaya.cases.registry import CaseScope, case_scope, ensure_case, find_case

__all__ = ["CaseScope", "case_scope", "ensure_case", "find_case"]
