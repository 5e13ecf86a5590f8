"""TargetEncoder against scikit-learn's on the same folds; cross-fitting properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn import model_selection as skms
from sklearn import preprocessing as skp

from lemma.exceptions import DataTypeError, DataValidationError, LemmaWarning, ParameterError
from lemma.prep import TargetEncoder
from lemma.prep.target_encoder import kfold_test_indices, stratified_test_indices

TOL = 1e-10


def _data(rng, n=300, kind="continuous"):
    city = rng.choice(["a", "b", "c", "d", "e", "f"], size=n, p=[0.3, 0.25, 0.2, 0.15, 0.07, 0.03])
    grade = rng.integers(0, 4, size=n).astype(float)
    grade[rng.random(n) < 0.05] = np.nan
    X = pd.DataFrame({"city": city.astype(object), "grade": grade})
    effect = pd.Series(city).map({"a": 0.0, "b": 1.0, "c": -1.0, "d": 2.0, "e": 0.5, "f": 3.0})
    signal = effect.to_numpy() + 0.3 * np.nan_to_num(grade) + rng.normal(size=n)
    if kind == "continuous":
        return X, 10.0 + signal
    if kind == "binary":
        return X, np.where(signal > 0.8, "yes", "no")
    return X, np.digitize(signal, [0.0, 1.0, 2.0])


def _sk_folds(kind, n_splits, random_state, shuffle=True):
    splitter = skms.KFold if kind == "continuous" else skms.StratifiedKFold
    return splitter(n_splits, shuffle=shuffle, random_state=random_state if shuffle else None)


def _close(a, b):
    np.testing.assert_allclose(a, b, rtol=TOL, atol=TOL)


@pytest.mark.parametrize("kind", ["continuous", "binary", "multiclass"])
@pytest.mark.parametrize("smooth", ["auto", 4.0])
def test_matches_sklearn_on_the_same_folds(rng, seed, kind, smooth):
    X, y = _data(rng, kind=kind)
    ours = TargetEncoder(smooth=smooth, cv=5, shuffle=True, random_state=seed)
    theirs = skp.TargetEncoder(smooth=smooth, cv=_sk_folds(kind, 5, seed))
    _close(ours.fit_transform(X, y).to_numpy(), theirs.fit_transform(X, y))
    assert ours.target_type_ == theirs.target_type_
    _close(ours.target_mean_, theirs.target_mean_)
    for a, b in zip(ours.encodings_, theirs.encodings_, strict=True):
        _close(a, b)
    X_new = X.iloc[:40].copy()
    X_new.iloc[:5, 0] = "never seen"
    _close(ours.transform(X_new).to_numpy(), theirs.transform(X_new))
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())


def test_explicit_folds_and_no_shuffle_match_sklearn(rng):
    X, y = _data(rng)
    folds = list(skms.KFold(4, shuffle=True, random_state=3).split(X))
    ours = TargetEncoder(cv=folds).fit_transform(X, y)
    _close(ours.to_numpy(), skp.TargetEncoder(cv=folds).fit_transform(X, y))
    ours = TargetEncoder(cv=3, shuffle=False).fit_transform(X, y)
    _close(
        ours.to_numpy(),
        skp.TargetEncoder(cv=_sk_folds("continuous", 3, 0, False)).fit_transform(X, y),
    )
    splitter = skms.KFold(3, shuffle=True, random_state=1)
    ours = TargetEncoder(cv=splitter).fit_transform(X, y)
    _close(ours.to_numpy(), skp.TargetEncoder(cv=splitter).fit_transform(X, y))


@pytest.mark.parametrize("n", [10, 11, 97])
@pytest.mark.parametrize("n_splits", [2, 3, 5])
def test_kfold_construction_is_sklearns(seed, n, n_splits):
    ours = kfold_test_indices(n, n_splits, True, seed)
    splitter = skms.KFold(n_splits, shuffle=True, random_state=seed)
    theirs = [test for _, test in splitter.split(np.ones(n))]
    assert [t.tolist() for t in ours] == [t.tolist() for t in theirs]


@pytest.mark.parametrize("n", [40, 97])
@pytest.mark.parametrize("n_splits", [2, 3, 5])
def test_stratified_construction_is_sklearns(seed, n, n_splits):
    y = np.random.default_rng(seed).choice(["z", "x", "y"], size=n, p=[0.5, 0.3, 0.2])
    ours = stratified_test_indices(y, n_splits, True, seed)
    splitter = skms.StratifiedKFold(n_splits, shuffle=True, random_state=seed)
    theirs = [test for _, test in splitter.split(np.ones(n), y)]
    assert [t.tolist() for t in ours] == [t.tolist() for t in theirs]


def test_cross_fitting_does_not_leak_a_rows_target(rng):
    X, y = _data(rng, n=120)
    folds = list(skms.KFold(4).split(X))
    base = TargetEncoder(cv=folds).fit_transform(X, y).to_numpy()
    y_changed = y.copy()
    y_changed[7] += 1000.0
    changed = TargetEncoder(cv=folds).fit_transform(X, y_changed).to_numpy()
    np.testing.assert_array_equal(changed[7], base[7])
    test_fold_of_7 = next(test for _, test in folds if 7 in test)
    others = np.setdiff1d(np.arange(120), test_fold_of_7)
    assert np.any(changed[others] != base[others])


def test_smoothing_limits(rng):
    X, y = _data(rng, n=200)
    heavy = TargetEncoder(smooth=1e12).fit(X, y)
    np.testing.assert_allclose(heavy.encodings_[0], y.mean(), rtol=1e-8)
    none = TargetEncoder(smooth=0.0).fit(X, y)
    means = pd.Series(y).groupby(X["city"].to_numpy()).mean().sort_index().to_numpy()
    _close(none.encodings_[0], means)


def test_unknown_category_gets_target_mean(rng):
    X, y = _data(rng)
    encoder = TargetEncoder().fit(X, y)
    new = pd.DataFrame({"city": ["zzz"], "grade": [99.0]})
    _close(encoder.transform(new).to_numpy(), [[encoder.target_mean_, encoder.target_mean_]])


# ----------------------------------------------------------------------------- bad input
def test_bad_folds_and_targets(rng):
    X, y = _data(rng, n=30)
    with pytest.raises(DataValidationError, match="cover every row exactly once"):
        TargetEncoder(cv=[(np.arange(10, 30), np.arange(10))]).fit_transform(X, y)
    with pytest.raises(DataValidationError, match="requires y"):
        TargetEncoder().fit(X, None)
    with pytest.raises(DataValidationError, match="3 classes"):
        TargetEncoder(target_type="binary").fit(X, np.arange(30) % 3)
    with pytest.raises(ParameterError, match="'cv' parameter of TargetEncoder"):
        TargetEncoder(cv=1).fit(X, y)
    with pytest.warns(LemmaWarning, match="least populated class in y has only 3 members"):
        TargetEncoder(cv=5).fit_transform(X, np.r_[np.zeros(27), np.ones(3)])


def test_mixed_types_and_empty_refused():
    X = np.array([["a"], [1], ["b"]], dtype=object)
    with pytest.raises(DataTypeError, match=r"Column 0 mixes values of types \['int', 'str'\]"):
        TargetEncoder().fit(X, [1.0, 2.0, 3.0])
    with pytest.raises(DataValidationError, match="0 sample"):
        TargetEncoder().fit(np.empty((0, 1), dtype=object), [])
