"""PCA and TruncatedSVD: scikit-learn's axes and variances, SVD identities, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal
from sklearn import decomposition as skd

from lemma.exceptions import DataValidationError, ParameterError
from lemma.models.decomposition import PCA, TruncatedSVD, randomized_svd

_RNG = np.random.default_rng(31)  # fixed data for the reference comparisons
X_FIXED = _RNG.standard_normal((500, 7)) @ _RNG.standard_normal((7, 7)) + 4.0
X_WIDE = _RNG.standard_normal((40, 90))


def _assert_same_axes(ours: np.ndarray, ref: np.ndarray, atol: float = 1e-8) -> None:
    """Equal up to the sign of each axis (row)."""
    signs = np.sign(np.sum(ours * ref, axis=1))
    np.testing.assert_allclose(ours, signs[:, None] * ref, rtol=0, atol=atol)


@pytest.mark.parametrize(
    ("solver", "n_components", "X"),
    [
        ("full", None, X_FIXED),
        ("full", 3, X_FIXED),
        ("full", 0.95, X_FIXED),
        ("full", 10, X_WIDE),
        ("covariance_eigh", 4, X_FIXED),
        ("covariance_eigh", 0.8, X_FIXED),
        ("randomized", 3, X_FIXED),
        ("arpack", 3, X_FIXED),
        ("auto", 5, X_FIXED),
        ("auto", 5, X_WIDE),
    ],
)
def test_same_as_sklearn(solver, n_components, X):
    ours = PCA(n_components, svd_solver=solver, random_state=0).fit(X)
    ref = skd.PCA(n_components, svd_solver=solver, random_state=0).fit(X)
    assert ours.n_components_ == ref.n_components_
    _assert_same_axes(ours.components_, ref.components_)
    np.testing.assert_allclose(ours.explained_variance_, ref.explained_variance_, rtol=1e-10)
    np.testing.assert_allclose(ours.explained_variance_ratio_, ref.explained_variance_ratio_,
                               rtol=1e-10)  # fmt: skip
    np.testing.assert_allclose(ours.singular_values_, ref.singular_values_, rtol=1e-10)
    assert ours.noise_variance_ == pytest.approx(ref.noise_variance_, rel=1e-10, abs=1e-12)
    np.testing.assert_allclose(ours.mean_, ref.mean_, rtol=1e-12)
    scores, ref_scores = ours.transform(X), ref.transform(X)
    signs = np.sign(np.sum(ours.components_ * ref.components_, axis=1))
    np.testing.assert_allclose(scores, ref_scores * signs, atol=1e-8)


def test_whitening_and_inverse_like_sklearn():
    ours = PCA(3, whiten=True).fit(X_FIXED)
    ref = skd.PCA(3, whiten=True).fit(X_FIXED)
    signs = np.sign(np.sum(ours.components_ * ref.components_, axis=1))
    scores = ours.transform(X_FIXED)
    np.testing.assert_allclose(scores, ref.transform(X_FIXED) * signs, atol=1e-8)
    np.testing.assert_allclose(np.cov(scores.T), np.eye(3), atol=1e-10)
    back = ref.inverse_transform(ref.transform(X_FIXED))
    np.testing.assert_allclose(ours.inverse_transform(scores), back, atol=1e-8)


def test_model_covariance_and_density_like_sklearn():
    ours = PCA(3).fit(X_FIXED)
    ref = skd.PCA(3).fit(X_FIXED)
    np.testing.assert_allclose(ours.get_covariance(), ref.get_covariance(), atol=1e-10)
    np.testing.assert_allclose(ours.score_samples(X_FIXED), ref.score_samples(X_FIXED),
                               rtol=1e-10)  # fmt: skip
    density = multivariate_normal(ours.mean_, ours.get_covariance()).logpdf(X_FIXED[:20])
    np.testing.assert_allclose(ours.score_samples(X_FIXED[:20]), density, rtol=1e-10)
    assert ours.score(X_FIXED) == pytest.approx(ref.score(X_FIXED), rel=1e-10)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(3, 40), d=st.integers(1, 8),
       solver=st.sampled_from(["full", "covariance_eigh"]))  # fmt: skip
def test_svd_identities(seed, n, d, solver):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) * rng.uniform(0.5, 3.0, d)
    pca = PCA(svd_solver=solver).fit(X)
    q = pca.n_components_
    V = pca.components_
    np.testing.assert_allclose(V @ V.T, np.eye(q), atol=1e-8)
    centred = X - X.mean(axis=0)
    # the variances are the eigenvalues of the sample covariance, in decreasing order
    eigenvalues = np.sort(np.linalg.eigvalsh(np.cov(X.T).reshape(d, d)))[::-1][:q]
    np.testing.assert_allclose(pca.explained_variance_, np.maximum(eigenvalues, 0), atol=1e-8)
    assert np.all(np.diff(pca.explained_variance_) <= 1e-12)
    # all axes: exact reconstruction; the scores are uncorrelated with variances λ
    np.testing.assert_allclose(pca.inverse_transform(pca.transform(X)), X, atol=1e-8)
    if n > 1:
        scores = pca.transform(X)
        np.testing.assert_allclose(scores.T @ scores / (n - 1), np.diag(pca.explained_variance_),
                                   atol=1e-8)  # fmt: skip
    # Eckart–Young: keeping k axes leaves the discarded variance as squared error
    k = max(1, q // 2)
    truncated = PCA(k, svd_solver=solver).fit(X)
    error = ((truncated.inverse_transform(truncated.transform(X)) - X) ** 2).sum()
    assert error == pytest.approx((n - 1) * pca.explained_variance_[k:].sum(), abs=1e-8)
    np.testing.assert_allclose(((V.T @ V) @ centred.T).T, centred, atol=1e-8)


def test_float32_kept_and_feature_names():
    pd = pytest.importorskip("pandas")
    X32 = X_FIXED.astype(np.float32)
    pca = PCA(2).fit(X32)
    assert pca.transform(X32).dtype == np.float32
    assert pca.components_.dtype == skd.PCA(2).fit(X32).components_.dtype
    frame = pd.DataFrame(X_FIXED, columns=[f"f{j}" for j in range(7)])
    out = PCA(2).fit(frame).transform(frame)
    assert list(out.columns) == ["pca0", "pca1"]
    assert TruncatedSVD(2).fit(X_FIXED).get_feature_names_out().tolist() == [
        "truncatedsvd0",
        "truncatedsvd1",
    ]


def test_variance_share_picks_the_fewest_axes():
    pca = PCA(0.9).fit(X_FIXED)
    cumulative = np.cumsum(PCA().fit(X_FIXED).explained_variance_ratio_)
    assert cumulative[pca.n_components_ - 1] > 0.9
    assert pca.n_components_ == 1 or cumulative[pca.n_components_ - 2] <= 0.9


def test_truncated_svd_arpack_equals_full_svd_and_sklearn():
    ours = TruncatedSVD(4, algorithm="arpack", random_state=0).fit(X_FIXED)
    _, S, Vt = np.linalg.svd(X_FIXED, full_matrices=False)
    _assert_same_axes(ours.components_, Vt[:4])
    np.testing.assert_allclose(ours.singular_values_, S[:4], rtol=1e-10)
    ref = skd.TruncatedSVD(4, algorithm="arpack", random_state=0).fit(X_FIXED)
    _assert_same_axes(ours.components_, ref.components_)
    np.testing.assert_allclose(ours.explained_variance_, ref.explained_variance_, rtol=1e-8)
    np.testing.assert_allclose(ours.explained_variance_ratio_, ref.explained_variance_ratio_,
                               rtol=1e-8)  # fmt: skip
    scores = ours.fit_transform(X_FIXED)
    np.testing.assert_allclose(np.abs(scores), np.abs(X_FIXED @ Vt[:4].T), atol=1e-8)


def test_randomized_svd_finds_a_clear_spectrum(seed):
    rng = np.random.default_rng(seed)
    left, _ = np.linalg.qr(rng.standard_normal((300, 20)))
    right, _ = np.linalg.qr(rng.standard_normal((50, 20)))
    spectrum = 2.0 ** -np.arange(20.0)
    M = (left * spectrum) @ right.T
    U, S, Vt = randomized_svd(M, 5, random_state=seed)
    np.testing.assert_allclose(S, spectrum[:5], rtol=1e-8)
    np.testing.assert_allclose(U.T @ U, np.eye(5), atol=1e-10)
    _assert_same_axes(Vt, right[:, :5].T)
    randomized = TruncatedSVD(5, random_state=seed).fit(M)
    np.testing.assert_allclose(randomized.singular_values_, spectrum[:5], rtol=1e-8)


@pytest.mark.parametrize(
    ("make", "X", "error", "match"),
    [
        (lambda: PCA(9), X_FIXED, DataValidationError, "n_components=9 must be between 0 and 7"),
        (lambda: PCA(7, svd_solver="arpack"), X_FIXED, DataValidationError, "between 1 and 6"),
        (lambda: PCA(0.5, svd_solver="randomized"), X_FIXED, DataValidationError,
         "share of variance"),
        (lambda: PCA(), np.ones((1, 4)), DataValidationError, "1 sample"),
        (lambda: PCA(1.5), X_FIXED, ParameterError, "'n_components' parameter of PCA"),
        (lambda: TruncatedSVD(8), X_FIXED, DataValidationError, "at most 7"),
        (lambda: TruncatedSVD(7, algorithm="arpack"), X_FIXED, DataValidationError, "at most 6"),
    ],
)  # fmt: skip
def test_bad_input(make, X, error, match):
    with pytest.raises(error, match=match):
        make().fit(X)


def test_inverse_transform_checks_width():
    pca = PCA(2).fit(X_FIXED)
    with pytest.raises(DataValidationError, match=r"shape \(n, 2\)"):
        pca.inverse_transform(np.zeros((3, 3)))
