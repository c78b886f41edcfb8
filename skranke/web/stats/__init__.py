"""Statistics, the live supervisor view and the audit trail (issue 12, docs/statistics.md)."""
