from audits.filters import AuditFilter


class QueueFilter(AuditFilter):
    """The queue filters by activity, strand, auditor and overall grade."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date_from", "date_to", "case_type", "status"):
            del self.filters[name]


class StatisticsFilter(AuditFilter):
    """A period (by audit date) and the audit's activity, strand, case type and auditor."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("overall_grade", "status"):
            del self.filters[name]
