import pytest

from audits.roles import ADMINISTRATOR, QA_LEAD


@pytest.fixture
def two_factor_on(settings):
    """Production's default (config.settings with DEBUG off), which the suite's settings turn
    off for the tests of everything else."""
    settings.TWO_FACTOR_ROLES = (QA_LEAD, ADMINISTRATOR)
    return settings
