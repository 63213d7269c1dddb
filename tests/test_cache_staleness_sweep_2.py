"""The other half of the staleness sweep's cases (tests/test_cache_staleness_sweep.py), in a module of its own so
that `--dist loadscope` runs the two halves on both workers, each with its own world."""

import pytest

from tests.test_cache_staleness_sweep import ALL_CASES, check_changes, purges, sweep  # noqa: F401 (fixtures)


@pytest.mark.parametrize("changes", ALL_CASES[1::2])
def test_no_shared_response_outlives_a_change(sweep, changes, purges, django_capture_on_commit_callbacks):  # noqa: F811
    check_changes(sweep, changes, purges, django_capture_on_commit_callbacks)
