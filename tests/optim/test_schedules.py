"""Learning-rate schedules: closed forms and parameter checks."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lemma.exceptions import ParameterError
from lemma.optim.schedules import (
    Constant,
    CosineAnnealing,
    ExponentialDecay,
    InverseScaling,
    StepDecay,
)

SCHEDULES = [
    Constant(),
    InverseScaling(0.5),
    ExponentialDecay(0.9, decay_steps=3),
    StepDecay(step=4, factor=0.5),
    CosineAnnealing(period=7, min_lr=0.001),
]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=repr)
def test_every_schedule_starts_at_the_base_rate(schedule):
    assert schedule(0.1, 0) == pytest.approx(0.1, rel=1e-15)


@settings(max_examples=50, deadline=None)
@given(st.floats(1e-6, 10.0), st.integers(0, 10_000))
def test_closed_forms(base_lr, t):
    assert InverseScaling(0.25)(base_lr, t) == pytest.approx(base_lr * (t + 1) ** -0.25)
    assert ExponentialDecay(0.5, 10)(base_lr, t) == pytest.approx(base_lr * 2 ** (-t / 10))
    assert StepDecay(step=3, factor=0.1)(base_lr, t) == pytest.approx(base_lr * 0.1 ** (t // 3))
    cosine = CosineAnnealing(period=5, min_lr=0.0)(base_lr, t)
    assert cosine == pytest.approx(base_lr * (1 + math.cos(math.pi * (t % 5) / 5)) / 2, abs=1e-15)
    assert 0.0 <= cosine <= base_lr


@pytest.mark.parametrize("schedule", SCHEDULES[1:4], ids=repr)
def test_decaying_schedules_never_increase(schedule):
    rates = [schedule(1.0, t) for t in range(50)]
    assert all(b <= a for a, b in itertools.pairwise(rates))


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: ExponentialDecay(1.5), "'rate' parameter of ExponentialDecay"),
        (lambda: StepDecay(step=0), "'step' parameter of StepDecay"),
        (lambda: CosineAnnealing(period=10, min_lr=-1.0), "'min_lr' parameter"),
        (lambda: InverseScaling(power_t=-0.5), "'power_t' parameter"),
    ],
)
def test_bad_parameters(build, match):
    with pytest.raises(ParameterError, match=match):
        build()
