"""Percentile arithmetic against samples whose answers are worked out by hand, with numpy's
default method (linear interpolation, Hyndman & Fan type 7): rank h = (n - 1) * q / 100."""

from __future__ import annotations

import pytest

from wizard.probes.percentiles import Distribution, percentile


@pytest.mark.parametrize("samples, q, expected", [
    ([1, 2, 3, 4], 50, 2.5),  # h = 1.5: halfway between 2 and 3
    ([1, 2, 3, 4], 95, 3.85),  # h = 2.85: 3 + 0.85 * (4 - 3)
    ([1, 2, 3, 4], 99, 3.97),
    ([1, 2, 3, 4], 0, 1),
    ([1, 2, 3, 4], 100, 4),
    ([15, 20, 35, 40, 50], 40, 29),  # h = 1.6: 20 + 0.6 * 15
    ([15, 20, 35, 40, 50], 50, 35),  # odd count: the middle sample itself
    ([15, 20, 35, 40, 50], 95, 48),  # h = 3.8: 40 + 0.8 * 10
    (list(range(1, 101)), 95, 95.05),  # h = 94.05: numpy.percentile(range(1, 101), 95)
    (list(range(1, 101)), 99, 99.01),
    ([50, 15, 40, 20, 35], 40, 29),  # order of arrival does not matter
    ([3.0], 95, 3.0),
])
def test_percentile_by_linear_interpolation(samples, q, expected):
    assert percentile(samples, q) == pytest.approx(expected)


def test_two_slow_answers_in_twenty_set_p95_and_one_does_not():
    assert percentile([0.01] * 18 + [2.2] * 2, 95) == pytest.approx(2.2)  # h = 18.05, both slow
    assert percentile([0.01] * 19 + [2.2], 95) == pytest.approx(0.01 + 0.05 * 2.19)  # 0.1195


def test_the_distribution_shown_in_a_report():
    d = Distribution.of([0.3, 0.1, 0.2, 2.0])
    assert (d.count, d.max) == (4, 2.0)
    # sorted 0.1 0.2 0.3 2.0; p95 at h = 2.85: 0.3 + 0.85 * 1.7; p99 at h = 2.97: 0.3 + 0.97 * 1.7
    assert d.p50 == pytest.approx(0.25) and d.p95 == pytest.approx(1.745) and d.p99 == pytest.approx(1.949)
    assert d.evidence() == {"count": 4, "p50_s": 0.25, "p95_s": 1.745, "p99_s": 1.949, "max_s": 2.0}


@pytest.mark.parametrize("samples, q", [([], 50), ([1.0], -1), ([1.0], 101)])
def test_nonsense_is_refused(samples, q):
    with pytest.raises(ValueError):
        percentile(samples, q)
