"""Agreement between auditors and moderators on the ordinal overall grade. Pure arithmetic on a
3x3 matrix of counts that the database has already grouped.
"""

from dataclasses import dataclass, field

from audits.grades import OVERALL_SCALE
from audits.percentages import exact_percent
from audits.uncertainty import format_share, is_small_sample

# Worst to best, so that a higher index is a better grade.
SCALE = tuple(reversed(OVERALL_SCALE))
INDEX = {grade.value: i for i, grade in enumerate(SCALE)}


def _as_float(share) -> float | None:
    return None if share is None else float(share)


def empty_matrix() -> list[list[int]]:
    return [[0] * len(SCALE) for _ in SCALE]


def linear_weighted_kappa(matrix: list[list[int]]) -> float | None:
    """Cohen's kappa with linear weights; rows are auditor grades, columns moderated grades.

    None when it is not defined: no moderated audits, or chance agreement already complete
    (every audit in one diagonal cell, for example), where the formula divides zero by zero.
    All audits in one off-diagonal cell is defined: kappa is 0.
    """
    k = len(matrix)
    total = sum(map(sum, matrix))
    if total == 0:
        return None
    weight = [[1 - abs(i - j) / (k - 1) for j in range(k)] for i in range(k)]
    rows = [sum(matrix[i]) / total for i in range(k)]
    cols = [sum(matrix[i][j] for i in range(k)) / total for j in range(k)]
    observed = sum(weight[i][j] * matrix[i][j] / total for i in range(k) for j in range(k))
    expected = sum(weight[i][j] * rows[i] * cols[j] for i in range(k) for j in range(k))
    if abs(1 - expected) < 1e-12:
        return None
    return (observed - expected) / (1 - expected)


@dataclass
class Agreement:
    """Moderation figures for one group of audits (all, one auditor, activity, team or
    moderator)."""

    label: str = ""
    audits: int = 0
    matrix: list[list[int]] = field(default_factory=empty_matrix)

    @property
    def moderated(self) -> int:
        return sum(map(sum, self.matrix))

    @property
    def agreed(self) -> int:
        return sum(self.matrix[i][i] for i in range(len(SCALE)))

    @property
    def raised(self) -> int:
        return sum(self.matrix[i][j] for i in range(len(SCALE)) for j in range(len(SCALE)) if j > i)

    @property
    def lowered(self) -> int:
        return sum(self.matrix[i][j] for i in range(len(SCALE)) for j in range(len(SCALE)) if j < i)

    @property
    def moderation_rate(self) -> float | None:
        return _as_float(exact_percent(self.moderated, self.audits))

    @property
    def percent_agreement(self) -> float | None:
        return _as_float(exact_percent(self.agreed, self.moderated))

    @property
    def kappa(self) -> float | None:
        return linear_weighted_kappa(self.matrix)

    @property
    def moderation_rate_share(self) -> str:
        """The moderation rate with its 95% Wilson interval: "80% (38–96%)"."""
        return format_share(self.moderated, self.audits)

    @property
    def agreement_share(self) -> str:
        """The share of moderated audits agreed, with its 95% Wilson interval."""
        return format_share(self.agreed, self.moderated)

    @property
    def small_sample(self) -> bool:
        """Agreement and kappa rest on fewer moderated audits than a figure needs to be more
        than an indication (audits.uncertainty)."""
        return is_small_sample(self.moderated)

    @property
    def net_direction(self) -> int:
        """Raised minus lowered: below zero, the auditor tends to grade more generously."""
        return self.raised - self.lowered

    def add(self, auditor_grade: str, moderated_grade: str, n: int) -> None:
        if auditor_grade in INDEX and moderated_grade in INDEX:
            self.matrix[INDEX[auditor_grade]][INDEX[moderated_grade]] += n
