"""Shared test settings: hypothesis profiles sized for CI (2 cores)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

import lpmech

# tests import their helpers (oracle, strategies) as top-level modules
sys.path.insert(0, str(Path(__file__).parent))

# The default profile is derandomised, so a run of the suite (and CI) is reproducible;
# HYPOTHESIS_PROFILE=thorough draws fresh random examples, eight times as many.
settings.register_profile(
    "default",
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def two_bidder_optimum():
    """The optimal auction for two bidders with values uniform on {1, 2, 3, 4} (Myerson: 2.375)."""
    env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)
    return lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
