"""Manager compliance (issue 14, item 7): where every manager must audit, each one's audits
allocated, started, submitted and overdue per month, and who has done none."""
