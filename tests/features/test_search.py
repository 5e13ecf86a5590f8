"""FeatureSearch: AIC/BIC paths against statsmodels, cross-validated scores against
cross_validate and a hand-written fold loop, planted effects, noise, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from sklearn.dummy import DummyRegressor
from sklearn.metrics import r2_score

from lemma.exceptions import DataValidationError, LemmaWarning, NotFittedError, ParameterError
from lemma.features import FeatureSearch, SearchSummary
from lemma.models.linear import LinearRegression, LogisticRegression, Ridge
from lemma.pipeline import Pipeline
from lemma.selection import KFold, cross_validate


# ----------------------------------------------------------------------------- data
def _table(rng, n=200):
    X = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
            "x3": rng.lognormal(size=n),
            "x4": rng.normal(size=n),
            "city": rng.choice(["Lyon", "Oslo", "Rome"], size=n),
        }
    )
    effect = X["x1"] * X["x2"] + np.log(X["x3"]) + 0.8 * (X["x4"] > 0.3)
    return X, effect + 1.0 * (X["city"] == "Rome")


def _columns(X: pd.DataFrame, name: str) -> pd.DataFrame:
    """The columns of one candidate, written independently of lemma (pandas/NumPy)."""
    if name.startswith("log("):
        return pd.DataFrame({name: np.log(X[name[4:-1]])})
    if name.startswith("bins("):
        codes = pd.qcut(X[name[5:-1]], 5, labels=False)
        return pd.get_dummies(codes, prefix=name, drop_first=True, dtype=float)
    if name.endswith("^2"):
        return pd.DataFrame({name: X[name[:-2]] ** 2})
    if "*" in name:
        a, b = name.split("*")
        return pd.DataFrame({name: X[a] * X[b]})
    if X[name].dtype.kind in "fi":
        return X[[name]]
    return pd.get_dummies(X[name], prefix=name, drop_first=True, dtype=float)


def _design(X: pd.DataFrame, names) -> pd.DataFrame:
    return pd.concat([_columns(X, name) for name in names], axis=1)


def _forward_by_statsmodels(X, y, names, model, criterion):
    """Greedy forward selection: add the candidate lowering the criterion most, or stop."""

    def value(chosen):
        exog = np.ones((len(y), 1))
        if chosen:
            exog = sm.add_constant(_design(X, chosen).to_numpy(), has_constant="add")
        options = {"disp": 0} if model is sm.Logit else {}
        return getattr(model(np.asarray(y, dtype=float), exog).fit(**options), criterion)

    path, values, current = [], [value([])], []
    while True:
        options = [name for name in names if name not in current]
        scores = [value([*current, name]) for name in options]
        best = int(np.argmin(scores))
        values.append(scores[best])
        if scores[best] >= values[-2]:
            return path, values
        current.append(options[best])
        path.append(options[best])


# ----------------------------------------------------------------------------- references
CANDIDATES = ["x1", "x2", "x3", "log(x3)", "x1*x2", "x2^2", "bins(x4)", "city"]


@pytest.mark.parametrize("criterion", ["aic", "bic"])
def test_least_squares_path_equals_statsmodels_forward_selection(criterion):
    X, y = _table(np.random.default_rng(5))  # fixed data for a reference comparison
    y = y + np.random.default_rng(6).normal(size=len(y))
    search = FeatureSearch(LinearRegression(), candidates=CANDIDATES, criterion=criterion)
    search.fit(X, y)
    path, values = _forward_by_statsmodels(X, y, CANDIDATES, sm.OLS, criterion)
    assert search.selected_ == path
    assert {"x1*x2", "log(x3)", "bins(x4)", "city"} <= set(path)
    history = search.history_
    assert history["action"].tolist() == ["add"] * len(path) + ["stop"]
    np.testing.assert_allclose(history["score_before"].iloc[0], values[0], rtol=1e-10)
    np.testing.assert_allclose(history["score_after"], values[1:], rtol=1e-10)
    assert search.score_ == pytest.approx(values[len(path)], rel=1e-10)
    # the likelihood-ratio p-value of each addition (one column, or the dummies of a group)
    names = search.get_feature_names_out()
    assert [n for n in names if n.startswith("city_")] == ["city_Oslo", "city_Rome"]
    expected = _design(X, path).to_numpy()
    np.testing.assert_allclose(search.transform(X).to_numpy(), expected, rtol=1e-12)


def test_logistic_bic_path_equals_statsmodels_logit():
    X, y = _table(np.random.default_rng(7), n=300)  # fixed data for a reference comparison
    label = (y + np.random.default_rng(8).logistic(size=len(y)) > 1.0).astype(int)
    names = ["x1", "x2", "x1*x2", "log(x3)", "x4"]
    search = FeatureSearch(LogisticRegression(penalty=None), candidates=names, criterion="bic")
    search.fit(X, label)
    path, values = _forward_by_statsmodels(X, label, names, sm.Logit, "bic")
    assert search.selected_ == path
    np.testing.assert_allclose(search.history_["score_before"].iloc[0], values[0], rtol=1e-7)
    np.testing.assert_allclose(search.history_["score_after"], values[1:], rtol=1e-7)


def test_likelihood_ratio_p_values_of_the_steps():
    X, y = _table(np.random.default_rng(5))  # fixed data for a reference comparison
    y = y + np.random.default_rng(6).normal(size=len(y))
    search = FeatureSearch(LinearRegression(), candidates=CANDIDATES, criterion="bic").fit(X, y)
    chosen = []
    for _, row in search.history_.iterrows():
        small = sm.OLS(y, sm.add_constant(_design(X, chosen)) if chosen else np.ones(len(y)))
        big = sm.OLS(y, sm.add_constant(_design(X, [*chosen, row["group"]])))
        _, p, _ = big.fit().compare_lr_test(small.fit())
        assert row["p_value"] == pytest.approx(p, rel=1e-8, abs=1e-300)
        chosen.append(row["group"])


def test_cv_scores_equal_cross_validate_and_the_corrected_t_test():
    rng = np.random.default_rng(11)  # fixed data for a reference comparison
    X, y = _table(rng, n=150)
    y = y + rng.normal(size=len(y))
    names = ["x1", "x2", "x1*x2", "log(x3)"]
    cv = KFold(5, shuffle=True, random_state=3)
    search = FeatureSearch(LinearRegression(), candidates=names, cv=cv, multiple_testing=None)
    search.fit(X, y)
    folds = [cross_validate(DummyRegressor(), X[["x1"]], y, cv=cv)["test_score"]]
    for k in range(1, len(search.selected_) + 1):
        Z = _design(X, search.selected_[:k])
        folds.append(cross_validate(LinearRegression(), Z, y, cv=cv)["test_score"])
    history = search.history_[search.history_["action"] == "add"]
    assert len(history) == len(search.selected_) >= 2
    means = [float(np.mean(f)) for f in folds]
    np.testing.assert_allclose(history["score_before"], means[:-1], rtol=1e-10)
    np.testing.assert_allclose(history["score_after"], means[1:], rtol=1e-10)
    # Nadeau-Bengio: t = mean(d) / sqrt((1/K + n_test/n_train) var(d)) on K - 1 df
    for row, before, after in zip(history.itertuples(), folds[:-1], folds[1:], strict=True):
        d = after - before
        t = d.mean() / np.sqrt((1 / 5 + 30 / 120) * d.var(ddof=1))
        assert row.p_value == pytest.approx(stats.t.sf(t, 4), rel=1e-8, abs=1e-300)
        assert row.improvement == pytest.approx(d.mean(), rel=1e-10)
        assert row.ci_low < row.improvement < row.ci_high


def test_bin_edges_are_learnt_inside_each_training_fold():
    rng = np.random.default_rng(2)  # fixed data for a reference comparison
    x = rng.normal(size=100)
    y = np.where(x > 0.5, 2.0, 0.0) + rng.normal(size=100)
    X = pd.DataFrame({"x": x})
    cv = KFold(5, shuffle=True, random_state=0)
    search = FeatureSearch(LinearRegression(), candidates=["bins(x)"], cv=cv).fit(X, y)

    def fold_scores(edges_from_all_rows: bool) -> float:
        scores = []
        for train, test in cv.split(X):
            rows = slice(None) if edges_from_all_rows else train
            _, edges = pd.qcut(x[rows], 5, retbins=True)
            inner = np.concatenate([[-np.inf], edges[1:-1], [np.inf]])
            design = pd.get_dummies(pd.cut(x, inner, labels=False), drop_first=True, dtype=float)
            A = np.column_stack([np.ones(100), design.to_numpy()])
            coef = np.linalg.lstsq(A[train], y[train], rcond=None)[0]
            scores.append(r2_score(y[test], A[test] @ coef))
        return float(np.mean(scores))

    assert search.history_["score_after"].iloc[0] == pytest.approx(fold_scores(False), rel=1e-10)
    assert abs(fold_scores(True) - fold_scores(False)) > 1e-6  # the check can tell them apart


# ----------------------------------------------------------------------------- properties
def _planted(rng, n=400):
    X = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
            "x3": rng.lognormal(size=n),
            "x4": rng.normal(size=n),
        }
    )
    return X, X["x1"] * X["x2"] + 1.5 * np.log(X["x3"]) + 0.5 * rng.normal(size=n)


def test_planted_interaction_and_log_are_found_and_nothing_else(rng, seed):
    # found exactly in 30 of 30 seeds (--seeds 0-29)
    X, y = _planted(rng)
    search = FeatureSearch(LinearRegression(), random_state=seed).fit(X, y)
    assert len(search.candidates_) == 19  # 4 columns, log(x3), 4 squares, 4 bins, 6 products
    assert set(search.selected_) == {"x1*x2", "log(x3)"}
    assert search.history_["action"].tolist() == ["add", "add", "stop"]
    assert "not significant" in search.stop_reason_


def test_a_pure_noise_feature_is_not_added_at_the_stated_level(rng, seed):
    X = pd.DataFrame(rng.normal(size=(200, 2)), columns=["signal", "noise"])
    y = 2 * X["signal"] + rng.normal(size=200)
    search = FeatureSearch(LinearRegression(), candidates=["signal", "noise"], alpha=0.01,
                           multiple_testing=None, random_state=seed)  # fmt: skip
    assert search.fit(X, y).selected_ == ["signal"]
    p_noise = search.history_["p_value"].iloc[-1]
    assert search.history_["group"].iloc[-1] == "noise" and p_noise >= 0.01


def test_nothing_kept_from_pure_noise_warns_and_transforms_to_no_columns(rng, seed):
    X = pd.DataFrame(rng.normal(size=(150, 3)), columns=["a", "b", "c"])
    y = rng.normal(size=150)
    search = FeatureSearch(LinearRegression(), candidates=["a", "b", "c", "a*b"], alpha=0.01,
                           cv=5, random_state=seed)  # fmt: skip
    with pytest.warns(LemmaWarning, match="kept no candidate"):
        search.fit(X, y)
    assert search.selected_ == [] and search.estimator_ is None
    assert search.transform(X).shape == (150, 0)
    assert search.history_["action"].tolist() == ["stop"]


def test_min_features_adds_the_best_group_and_says_so(rng):
    X = pd.DataFrame(rng.normal(size=(80, 2)), columns=["a", "b"])
    y = rng.normal(size=80)
    search = FeatureSearch(LinearRegression(), candidates=["a", "b"], cv=5, alpha=1e-6,
                           min_features=1).fit(X, y)  # fmt: skip
    assert len(search.selected_) == 1
    assert "min_features=1" in search.history_["decision"].iloc[0]


def test_stepwise_removes_a_group_made_redundant_as_statsmodels_says():
    rng = np.random.default_rng(0)  # fixed data where x3 enters first, then becomes redundant
    x1, x2 = rng.normal(size=(2, 200))
    X = pd.DataFrame({"x1": x1, "x2": x2, "x3": x1 + x2 + 0.5 * rng.normal(size=200)})
    y = x1 + x2 + 0.5 * rng.normal(size=200)
    names = ["x1", "x2", "x3"]
    forward = FeatureSearch(LinearRegression(), candidates=names, criterion="bic").fit(X, y)
    search = FeatureSearch(LinearRegression(), candidates=names, criterion="bic",
                           direction="stepwise").fit(X, y)  # fmt: skip
    assert forward.selected_[0] == "x3" and set(forward.selected_) == set(names)
    assert sorted(search.selected_) == ["x1", "x2"]
    removal = search.history_[search.history_["action"] == "remove"].iloc[0]
    assert removal["group"] == "x3"

    def bic(chosen):
        return sm.OLS(y, sm.add_constant(X[chosen])).fit().bic

    assert removal["score_after"] == pytest.approx(bic(["x1", "x2"]), rel=1e-10)
    assert removal["score_before"] == pytest.approx(bic(names), rel=1e-10)
    assert search.score_ < forward.score_


def test_an_unseen_category_is_the_reference_level():
    X, y = _table(np.random.default_rng(5))
    search = FeatureSearch(LinearRegression(), candidates=["city", "x1"], criterion="aic")
    search.fit(X, y)
    new = X.head(2).assign(city=["Paris", "Oslo"])
    out = search.transform(new)
    assert out.filter(like="city_").to_numpy().tolist() == [[0.0, 0.0], [1.0, 0.0]]


def test_summary_renders_and_steps_chain(rng):
    X, y = _planted(rng, n=200)
    search = FeatureSearch(LinearRegression(), candidates=["x1", "x1*x2", "log(x3)", "x4"],
                           criterion="bic").fit(X, y)  # fmt: skip
    summary = search.summary()
    assert isinstance(summary, SearchSummary)
    kept = len(search.selected_)
    assert summary.conclusion.startswith(f"Forward search by BIC kept {kept} of 4 candidate")
    assert {"x1*x2", "log(x3)"} <= set(search.selected_)
    assert summary.conclusion in str(summary) and "<table" in summary._repr_html_()
    pd.testing.assert_frame_equal(summary.to_frame(), search.history_)
    history = search.history_
    np.testing.assert_array_equal(history["score_before"].iloc[1:], history["score_after"][:-1])


def test_inside_a_pipeline_and_cross_validated(rng):
    X, y = _planted(rng, n=200)
    names = ["x1", "x2", "x1*x2", "log(x3)"]
    pipe = Pipeline([("search", FeatureSearch(LinearRegression(), candidates=names,
                                              criterion="bic")),
                     ("model", Ridge(alpha=1e-8))])  # fmt: skip
    pipe.fit(X, y)
    search = pipe.named_steps["search"]
    Z = _design(X, search.selected_)
    np.testing.assert_allclose(pipe.predict(X), Ridge(alpha=1e-8).fit(Z, y).predict(Z),
                               rtol=1e-8)  # fmt: skip
    scores = cross_validate(pipe, X, y, cv=3)["test_score"]
    assert np.all(np.isfinite(scores)) and scores.mean() > 0.5


def test_a_pipeline_with_a_search_saves_and_loads_exactly(rng, tmp_path):
    from lemma.io.persist import load, save

    X, y = _table(rng, n=120)
    names = ["city", "x1*x2", "log(x3)", "bins(x4)"]  # categories, log floor, bin edges
    search = FeatureSearch(LinearRegression(), candidates=names, criterion="aic",
                           min_features=4)  # fmt: skip
    pipe = Pipeline([("search", search), ("model", Ridge(alpha=1e-8))]).fit(X, y)
    loaded = load(save(pipe, tmp_path / "pipe.lemma"))
    new = X.head(5).assign(city=["Paris", "Oslo", "Rome", "Lyon", "Rome"], x3=0.5)
    for data in (X, new):
        np.testing.assert_array_equal(loaded.predict(data), pipe.predict(data))
    fitted = loaded.named_steps["search"]
    assert fitted.selected_ == search.selected_ and fitted.candidates_ == search.candidates_
    np.testing.assert_array_equal(fitted.get_feature_names_out(), search.get_feature_names_out())
    pd.testing.assert_frame_equal(fitted.history_, search.history_)


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"criterion": "r2"}, ParameterError, "criterion"),
        ({"direction": "backward"}, ParameterError, "direction"),
        ({"alpha": 1.5}, ParameterError, "alpha"),
        ({"candidates": ["x9"]}, ParameterError, "cannot read candidate 'x9'"),
        ({"candidates": ["city*x1"]}, ParameterError, "needs numeric columns"),
        ({"candidates": ["log(x4)"]}, ParameterError, "needs x4 > 0"),
        ({"scoring": ["r2", "neg_mean_squared_error"]}, ParameterError, "one metric"),
        ({"criterion": "aic", "estimator": Ridge()}, ParameterError, "result_"),
    ],
)
def test_bad_parameters_are_refused_clearly(params, error, match):
    X, y = _table(np.random.default_rng(0), n=60)
    params = {"estimator": LinearRegression(), "candidates": ["x1"], **params}
    with pytest.raises(error, match=match):
        FeatureSearch(**params).fit(X, y)


def test_bad_data_is_refused_clearly():
    X, y = _table(np.random.default_rng(0), n=60)
    search = FeatureSearch(LinearRegression(), candidates=["x1"], criterion="bic", min_features=1)
    with pytest.raises(NotFittedError):
        search.transform(X)
    with pytest.raises(DataValidationError, match=r"missing values \(NaN\) in columns \['x2'\]"):
        search.fit(X.assign(x2=np.where(np.arange(60) < 3, np.nan, X["x2"])), y)
    with pytest.raises(DataValidationError, match="X has 60 rows but y has 59"):
        search.fit(X, y[:59])
    ids = pd.DataFrame({"id": [f"row-{i}" for i in range(60)]})
    with pytest.raises(DataValidationError, match="no usable candidate"):
        FeatureSearch(LinearRegression()).fit(ids, y)
    search.fit(X, y)
    with pytest.raises(DataValidationError, match=r"missing values \(NaN\) in columns \['x1'\]"):
        search.transform(X.assign(x1=np.nan))
    with pytest.raises(DataValidationError, match="missing:\n- x4"):
        search.transform(X.drop(columns="x4"))


# ----------------------------------------------------------------------------- contract
@pytest.mark.slow
def test_sklearn_check_estimator():
    from sklearn.utils.estimator_checks import check_estimator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_estimator(FeatureSearch(LinearRegression(), min_features=1, cv=3))
