"""The CSV files in data/ are the simulated cohorts' loaders at their defaults, exactly."""

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).resolve().parents[1] / "data"


def _make_data():
    spec = importlib.util.spec_from_file_location("make_data", DATA / "make_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE_DATA = _make_data()


@pytest.mark.parametrize("name", sorted(MAKE_DATA.COHORTS))
def test_csv_is_the_generator_output(name):
    """The file holds the generator's values to the last bit but one or two: the generators
    draw through numpy's `log` and `exp`, whose last bit differs between processors with and
    without AVX-512 (22 of pneumonia's BUN values, at most 2.5e-16 apart)."""
    assert (DATA / f"{name}.md").is_file(), f"{name} has no data card"
    pd.testing.assert_frame_equal(MAKE_DATA.read_cohort(name), MAKE_DATA.cohort_frame(name),
                                  check_exact=False, rtol=1e-15, atol=0)
