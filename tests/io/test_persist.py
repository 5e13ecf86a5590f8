"""Safe persistence: exact round trips over the registry, and every unsafe file refused.

The round trip fits each registered estimator on data suited to its tags, saves,
loads and requires bitwise-identical outputs, parameters and fitted state. The
refusals hand-craft damaged, tampered and foreign archives; those that carry a
pickle payload use a sentinel file that unpickling would create, and assert it
was never created.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import io
import json
import math
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lemma
from lemma import all_estimators
from lemma.base import BaseEstimator, clone
from lemma.io import persist
from lemma.io.persist import ModelFileError, ModelSaveError, load, load_file, save
from lemma.io.schema import FeatureSchema
from lemma.io.serialize import decode, encode

METHODS = ("predict", "predict_proba", "predict_log_proba", "decision_function", "transform")


def _check_params() -> dict[str, dict]:
    """tests/test_common.py's CHECK_PARAMS (empty when scikit-learn is absent)."""
    path = Path(__file__).parents[1] / "test_common.py"
    spec = importlib.util.spec_from_file_location("_lemma_test_common", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except BaseException:  # pytest.importorskip raises a BaseException subclass
        return {}
    return module.CHECK_PARAMS


CHECK_PARAMS = _check_params()


# ---------------------------------------------------------------------- data by tags
def _data(estimator: BaseEstimator, rng: np.random.Generator):
    tags = estimator.__lemma_tags__()
    n = 60
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    if tags.positive_X:
        X = X.abs()
    if tags.allow_nan:
        X.iloc[[2, 7], 1] = np.nan
    if tags.string_input:
        X["colour"] = rng.choice(["red", "green", "blue"], size=n)
    signal = X[["a", "b", "c"]].to_numpy() @ np.array([1.0, -2.0, 0.5])
    signal = np.nan_to_num(signal)
    y = None
    if tags.estimator_type == "classifier":
        labels = np.array(["no", "yes", "maybe"] if tags.multi_class else ["no", "yes"])
        cuts = np.quantile(signal, np.linspace(0, 1, len(labels) + 1)[1:-1])
        y = labels[np.digitize(signal, cuts)]
    elif tags.estimator_type == "regressor" or tags.requires_y:
        y = signal + rng.normal(scale=0.1, size=n)
        if tags.positive_y:
            y = np.exp(y / 4)
    return X, y


def _instance(name: str, cls: type) -> BaseEstimator:
    """``cls`` built with CHECK_PARAMS (cloned: those step instances are shared)."""
    return cls(**{k: clone(v, safe=False) for k, v in CHECK_PARAMS.get(name, {}).items()})


def _fitted(name: str, cls: type, rng: np.random.Generator):
    estimator = _instance(name, cls)
    X, y = _data(estimator, rng)
    estimator.fit(X) if y is None else estimator.fit(X, y)
    return estimator, X


# ---------------------------------------------------------------------- exact equality
def _is_lemma_record(value) -> bool:
    return type(value).__module__.startswith("lemma.") and hasattr(value, "__dict__")


def _assert_same(a, b, path: str = "model") -> None:
    """``a`` and ``b`` are equal bit for bit, recursively (types, dtypes, NaNs, signs)."""
    assert type(a) is type(b), f"{path}: {type(a)} != {type(b)}"
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, path
        if a.dtype == object:
            for i, (x, z) in enumerate(zip(a.ravel(), b.ravel(), strict=True)):
                _assert_same(x, z, f"{path}.flat[{i}]")
        else:
            assert a.tobytes() == b.tobytes(), path
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=path)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, check_exact=True, obj=path)
    elif isinstance(a, pd.Index):
        pd.testing.assert_index_equal(a, b, exact=True, obj=path)
    elif isinstance(a, float | np.floating):
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes() or (
            math.isnan(a) and math.isnan(b)
        ), path
    elif isinstance(a, dict):
        assert list(a) == list(b), path
        for key in a:
            _assert_same(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), path
        for i, (x, z) in enumerate(zip(a, b, strict=True)):
            _assert_same(x, z, f"{path}[{i}]")
    elif isinstance(a, np.random.RandomState):
        _assert_same(a.get_state(legacy=False), b.get_state(legacy=False), f"{path}.state")
    elif isinstance(a, np.random.Generator):
        _assert_same(a.bit_generator.state, b.bit_generator.state, f"{path}.state")
    elif isinstance(a, BaseEstimator) or dataclasses.is_dataclass(a) or _is_lemma_record(a):
        # attribute order in __dict__ is not behaviour: parameters are restored first
        _assert_same(dict(sorted(vars(a).items())), dict(sorted(vars(b).items())), path)
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def _outputs(model, X) -> dict:
    out = {}
    for method in METHODS:
        if hasattr(model, method):
            out[method] = getattr(model, method)(X)
    return out


def _round_trip(model, tmp_path: Path, **kwargs):
    path = save(model, tmp_path / "model.lemma", **kwargs)
    return load(path)


# ---------------------------------------------------------------------- round trips
@pytest.mark.parametrize(("name", "cls"), all_estimators(), ids=[n for n, _ in all_estimators()])
def test_round_trip_is_exact_for_every_registered_estimator(name, cls, rng, tmp_path):
    model, X = _fitted(name, cls, rng)
    loaded = _round_trip(model, tmp_path)
    assert type(loaded) is cls
    _assert_same(model, loaded)
    _assert_same(model.get_params(), loaded.get_params())
    before, after = _outputs(model, X), _outputs(loaded, X)
    if not before:  # clusterers without predict (DBSCAN, agglomerative) keep labels_ only
        assert hasattr(model, "labels_"), f"{name} has none of {METHODS} and no labels_"
        before, after = {"labels_": model.labels_}, {"labels_": loaded.labels_}
    assert list(before) == list(after)
    for method in before:
        _assert_same(before[method], after[method], f"{name}.{method}")


@pytest.mark.parametrize(("name", "cls"), all_estimators(), ids=[n for n, _ in all_estimators()])
def test_unfitted_estimators_round_trip(name, cls, tmp_path):
    model = _instance(name, cls)
    loaded = _round_trip(model, tmp_path)
    assert repr(loaded) == repr(model)
    _assert_same(model, loaded)


def test_linear_regression_inference_survives(tmp_path):
    from lemma.io.datasets import load_longley

    data = load_longley()
    model = lemma.LinearRegression(cov_type="HC3").fit(data.drop(columns="employed"), data.employed)
    loaded = _round_trip(model, tmp_path)
    assert loaded.summary().as_text() == model.summary().as_text()
    _assert_same(model.result_.conf_int(), loaded.result_.conf_int())


def test_values_of_every_supported_type_round_trip(rng):
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=4),
            "n": pd.array([1, None, 3, 4], dtype="Int64"),
            "s": pd.Series(["a", None, "b", "a"], dtype="str"),
            "c": pd.Categorical(["u", "v", "u", None], ordered=True),
            "o": np.array(["p", None, "q", "r"], dtype=object),
            "t": pd.to_datetime(["2020-01-01", "2021-06-30", None, "1999-12-31"]),
            "f": pd.array([0.5, None, 1.5, 2.0], dtype="Float32"),
            "b": pd.array([True, None, False, True], dtype="boolean"),
        },
        index=pd.Index(["r1", "r2", "r3", "r4"], name="row"),
    )
    generator = np.random.default_rng(rng.integers(2**32))
    generator.normal(size=3)
    value = {
        "floats": [1.5, -0.0, math.nan, math.inf, -math.inf, 1e-310],
        "ints": (0, -(2**70), True, None),
        7: "int key",
        (1, "a"): frozenset({"x", "y"}),
        "set": {3, 1, 2},
        "slice": slice(1, None, 2),
        "scalars": [np.float32(0.1), np.int8(-3), np.uint64(2**64 - 1), np.bool_(True)],
        "more": [np.longdouble(1) / 3, np.complex128(1 - 2j), np.datetime64("2020-01-01")],
        "str": np.str_("text"),
        "arrays": [
            np.arange(6, dtype=np.int32).reshape(2, 3),
            np.asfortranarray(rng.normal(size=(3, 2))),
            np.array(["a", "bc"]),
            np.array([b"x", b"yz"]),
            np.array([[1, "a"], [None, 2.5]], dtype=object),
            np.zeros((0, 3)),
        ],
        "dtypes": [np.dtype("float32"), np.dtype("<U3"), np.float64, str, np.log1p],
        "random": [np.random.RandomState(rng.integers(2**31)), generator],
        "pandas": [frame, frame["x"], frame.index, pd.RangeIndex(2, 11, 3, name="r")],
        "empty": pd.DataFrame(),
    }
    graph, arrays = encode(value)
    json.dumps(graph, allow_nan=False)  # the graph is strict JSON
    restored = decode(json.loads(json.dumps(graph)), arrays)
    random_states = value.pop("random"), restored.pop("random")
    _assert_same(value, restored)
    assert random_states[0][0].uniform() == random_states[1][0].uniform()
    assert random_states[0][1].normal() == random_states[1][1].normal()


def test_shared_objects_stay_shared(rng):
    ridge = lemma.Ridge().fit(rng.normal(size=(10, 2)), rng.normal(size=10))
    array = np.arange(3.0)
    restored = decode(*encode([ridge, ridge, array, array]))
    assert restored[0] is restored[1] and restored[2] is restored[3]


def test_schema_card_and_metadata_are_saved(tmp_path, rng):
    X = pd.DataFrame({"size": rng.normal(size=20), "colour": ["red", "blue"] * 10})
    model = lemma.Ridge().fit(X[["size"]], rng.normal(size=20))
    metadata = {"rmse": np.float64(0.25), "folds": np.arange(3), "missing": math.nan}
    path = save(model, tmp_path / "m.lemma", schema=X, card={"title": "t"}, metadata=metadata)
    saved = load_file(path)
    assert saved.schema == FeatureSchema.from_frame(X)
    assert saved.card == {"title": "t"}
    assert saved.metadata["rmse"] == 0.25 and saved.metadata["folds"] == [0, 1, 2]
    assert math.isnan(saved.metadata["missing"])
    assert saved.lemma_version == lemma.__version__ and saved.format_version == 1


def test_saving_is_deterministic_apart_from_the_timestamp(tmp_path, rng):
    model = lemma.Ridge().fit(rng.normal(size=(10, 2)), rng.normal(size=10))
    first = zipfile.ZipFile(save(model, tmp_path / "a.lemma"))
    second = zipfile.ZipFile(save(model, tmp_path / "b.lemma"))
    assert first.namelist() == second.namelist()
    for name in first.namelist():
        if name != "manifest.json":
            assert first.read(name) == second.read(name), name


# ---------------------------------------------------------------------- refused at save time
def test_save_refuses_a_function_naming_its_attribute_path(tmp_path):
    model = lemma.Ridge()
    model.scorer_ = {"score": [lambda y: y]}
    with pytest.raises(ModelSaveError, match=r"Ridge\.scorer_\['score'\]\[0\]: a Python function"):
        save(model, tmp_path / "m.lemma")
    assert not list(tmp_path.iterdir())  # no partial file left behind


def test_a_score_function_is_refused_with_its_name_to_pass_instead(tmp_path, rng):
    from lemma.features import SelectKBest, f_regression

    X = rng.normal(size=(40, 3))
    model = SelectKBest(f_regression, k=1).fit(X, X[:, 0])
    hint = r'Pass its name instead \(score_func="f_regression"\)'
    with pytest.raises(ModelSaveError, match=hint):
        save(model, tmp_path / "m.lemma")
    named = SelectKBest("f_regression", k=1).fit(X, X[:, 0])
    np.testing.assert_array_equal(load(save(named, tmp_path / "n.lemma")).transform(X),
                                  model.transform(X))  # fmt: skip


def test_save_refuses_a_scikit_learn_estimator_inside_a_lemma_model(tmp_path):
    preprocessing = pytest.importorskip("sklearn.preprocessing")
    model = lemma.Ridge()
    model.steps_ = [("scale", preprocessing.StandardScaler())]
    with pytest.raises(
        ModelSaveError, match=r"steps_\[0\]\[1\]: sklearn\..* not a lemma estimator"
    ):
        save(model, tmp_path / "m.lemma")


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (object(), "object object, which lemma cannot save"),
        (np.ma.masked_array([1.0]), "MaskedArray"),
        (pd.MultiIndex.from_tuples([(1, 2)]), "MultiIndex"),
        (pd.Series(pd.period_range("2020", periods=2, freq="M")), "dtype period"),
    ],
)
def test_save_refuses_unsupported_values(value, match, tmp_path):
    model = lemma.Ridge()
    model.extra_ = value
    with pytest.raises(ModelSaveError, match=match):
        save(model, tmp_path / "m.lemma")


def test_save_refuses_cycles_and_non_estimators(tmp_path):
    model = lemma.Ridge()
    loop = []
    loop.append(loop)
    model.loop_ = loop
    with pytest.raises(ModelSaveError, match="reference cycle"):
        save(model, tmp_path / "m.lemma")
    with pytest.raises(ModelSaveError, match=r"saves lemma estimators; got a builtins.dict"):
        save({"coef": 1.0}, tmp_path / "m.lemma")


# ---------------------------------------------------------------------- refused at load time
class _Payload:
    """Unpickling this creates the sentinel file: proof that code ran."""

    def __init__(self, sentinel: Path) -> None:
        self.sentinel = sentinel

    def __reduce__(self):
        return (Path.touch, (self.sentinel,))


@pytest.fixture
def sentinel(tmp_path) -> Path:
    return tmp_path / "code-ran"


@pytest.fixture
def saved(tmp_path, rng) -> Path:
    model = lemma.Ridge(alpha=0.5).fit(rng.normal(size=(20, 3)), rng.normal(size=20))
    return save(model, tmp_path / "ridge.lemma", card="# card")


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write(path: Path, members: dict[str, bytes], *, rehash: bool = False) -> Path:
    if rehash:
        manifest = json.loads(members["manifest.json"])
        manifest["members"] = {
            name: hashlib.sha256(data).hexdigest()
            for name, data in members.items()
            if name != "manifest.json"
        }
        members = {**members, "manifest.json": json.dumps(manifest).encode()}
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_the_sentinel_payload_really_runs_when_unpickled(sentinel):
    pickle.loads(pickle.dumps(_Payload(sentinel)))
    assert sentinel.exists()


def test_a_pickle_renamed_lemma_is_refused_without_running_it(tmp_path, sentinel):
    path = tmp_path / "model.lemma"
    path.write_bytes(pickle.dumps(_Payload(sentinel)))
    with pytest.raises(ModelFileError, match=r"not a zip archive.*looks like a Python pickle"):
        load(path)
    assert not sentinel.exists()


def test_a_pickled_array_inside_a_valid_archive_is_refused(saved, sentinel):
    members = _members(saved)
    buffer = io.BytesIO()
    np.save(buffer, np.array([_Payload(sentinel)], dtype=object), allow_pickle=True)
    members["arrays/0.npy"] = buffer.getvalue()
    _write(saved, members, rehash=True)
    with pytest.raises(ModelFileError, match=r"arrays/0\.npy holds Python objects \(a pickle\)"):
        load(saved)
    assert not sentinel.exists()


@pytest.mark.parametrize("forged", ["os.system", "Popen", "LinearRegression.__init__"])
def test_a_class_outside_the_registry_is_refused(saved, forged):
    members = _members(saved)
    graph = json.loads(members["model.json"])
    graph["class"] = forged
    members["model.json"] = json.dumps(graph).encode()
    _write(saved, members, rehash=True)
    with pytest.raises(ModelFileError, match=f"names the class '{forged}'.*not an estimator"):
        load(saved)


def test_a_record_class_outside_the_allowlist_is_refused(saved):
    members = _members(saved)
    graph = json.loads(members["model.json"])
    graph["state"]["extra_"] = {"type": "object", "class": "Path", "id": 9, "state": {}}
    members["model.json"] = json.dumps(graph).encode()
    _write(saved, members, rehash=True)
    with pytest.raises(ModelFileError, match=r"names the class 'Path'.*refusing"):
        load(saved)


@pytest.mark.parametrize(
    ("node", "match"),
    [
        ({"type": "pickle", "data": "gASV"}, "unknown value type 'pickle'"),
        ({"type": "list", "item": []}, "malformed at model.extra_"),
        ({"type": "ndarray", "ref": "arrays/99.npy"}, "missing array"),
        ({"type": "type", "builtin": "eval"}, "malformed"),
        ({"type": "ufunc", "name": "system"}, "malformed"),
        ({"type": "ref", "id": 5}, "unknown object"),
        ([1, 2], "unknown value type 'list'"),
    ],
)
def test_malformed_or_foreign_nodes_are_refused(saved, node, match):
    members = _members(saved)
    graph = json.loads(members["model.json"])
    graph["state"]["extra_"] = node
    members["model.json"] = json.dumps(graph).encode()
    _write(saved, members, rehash=True)
    with pytest.raises(ModelFileError, match=match):
        load(saved)


def test_a_parameter_unknown_to_the_class_is_refused(saved):
    members = _members(saved)
    graph = json.loads(members["model.json"])
    graph["params"]["shell"] = "rm -rf /"
    members["model.json"] = json.dumps(graph).encode()
    _write(saved, members, rehash=True)
    with pytest.raises(ModelFileError, match=r"parameters \['shell'\]"):
        load(saved)


def test_a_tampered_member_is_refused(saved):
    members = _members(saved)
    data = bytearray(members["arrays/0.npy"])
    data[-1] ^= 0x01  # one bit of one coefficient
    members["arrays/0.npy"] = bytes(data)
    _write(saved, members)
    with pytest.raises(ModelFileError, match=r"member 'arrays/0\.npy' fails its SHA-256 check"):
        load(saved)


def test_a_byte_changed_in_the_raw_archive_is_refused(saved):
    data = bytearray(saved.read_bytes())
    start = data.index(b"model.json") + 40  # inside model.json's compressed bytes
    data[start] ^= 0xFF
    saved.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match=r"damaged|SHA-256|not valid"):
        load(saved)


def test_an_edited_manifest_hash_is_refused(saved):
    members = _members(saved)
    manifest = json.loads(members["manifest.json"])
    manifest["members"]["model.json"] = "0" * 64
    members["manifest.json"] = json.dumps(manifest).encode()
    _write(saved, members)
    with pytest.raises(ModelFileError, match=r"'model.json' fails its SHA-256 check"):
        load(saved)


def test_a_member_missing_from_the_manifest_is_refused(saved, sentinel):
    members = _members(saved)
    members["extra.pkl"] = pickle.dumps(_Payload(sentinel))
    _write(saved, members)
    with pytest.raises(ModelFileError, match=r"'extra.pkl' that its manifest does not list"):
        load(saved)
    assert not sentinel.exists()


def test_an_unknown_member_listed_in_the_manifest_is_refused(saved):
    members = _members(saved)
    members["code.py"] = b"import os"
    _write(saved, members, rehash=True)
    with pytest.raises(ModelFileError, match=r"unexpected members \['code.py'\]"):
        load(saved)


def test_a_newer_format_is_refused_with_upgrade_advice(saved):
    members = _members(saved)
    manifest = json.loads(members["manifest.json"])
    manifest["format_version"] = persist.FORMAT_VERSION + 2
    manifest["lemma_version"] = "9.0"
    members["manifest.json"] = json.dumps(manifest).encode()
    _write(saved, members)
    with pytest.raises(ModelFileError, match=r"newer lemma \(format 3 > 1, lemma 9.0\); upgrade"):
        load(saved)


@pytest.mark.parametrize(
    ("manifest", "match"),
    [
        (None, "no manifest.json"),
        (b"{not json", "manifest.json is not valid JSON"),
        (b'{"format": "other"}', "does not describe a lemma model"),
        (b'{"format": "lemma-model", "format_version": "1"}', "invalid format version"),
        (b'{"format": "lemma-model", "format_version": 1, "members": []}', "no valid member"),
    ],
)
def test_a_missing_or_malformed_manifest_is_refused(saved, manifest, match):
    members = _members(saved)
    if manifest is None:
        del members["manifest.json"]
    else:
        members["manifest.json"] = manifest
    _write(saved, members)
    with pytest.raises(ModelFileError, match=match):
        load(saved)


def test_a_truncated_file_is_refused(saved):
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="truncated or damaged"):
        load(saved)


def test_an_empty_a_random_and_a_missing_file_are_refused(tmp_path, rng):
    empty = tmp_path / "empty.lemma"
    empty.write_bytes(b"")
    with pytest.raises(ModelFileError, match=r"empty \(0 bytes\)"):
        load(empty)
    noise = tmp_path / "noise.lemma"
    noise.write_bytes(b"\x00" + rng.integers(0, 256, size=4096, dtype=np.uint8).tobytes())
    with pytest.raises(ModelFileError, match=r"not a lemma model file \(not a zip archive\)"):
        load(noise)
    with pytest.raises(ModelFileError, match="does not exist; check the path"):
        load(tmp_path / "absent.lemma")
    with pytest.raises(ModelFileError, match="is a directory"):
        load(tmp_path)


def test_a_foreign_zip_is_refused(tmp_path):
    path = _write(tmp_path / "other.lemma", {"data.csv": b"a,b\n1,2\n"})
    with pytest.raises(ModelFileError, match=r"no manifest.json"):
        load(path)


def test_refusals_are_value_errors_with_one_line_messages(saved):
    saved.write_bytes(b"\x80\x04junk")
    with pytest.raises(ValueError) as info:
        load(saved)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, lemma.exceptions.LemmaError)


# ---------------------------------------------------------------------- pipelines
@pytest.fixture
def pending_registry(monkeypatch):
    """The registry, plus Pipeline, ColumnTransformer, LogisticRegression if not listed yet."""
    pipeline = pytest.importorskip("lemma.pipeline")
    from lemma.io import serialize
    from lemma.models import linear

    listed = serialize._estimator_classes()
    pending = {
        "Pipeline": pipeline,
        "ColumnTransformer": pipeline,
        "LogisticRegression": linear,
    }
    extra = {
        name: getattr(module, name)
        for name, module in pending.items()
        if name not in listed and hasattr(module, name)
    }
    monkeypatch.setattr(serialize, "_estimator_classes", lambda: {**listed, **extra})
    return pipeline


def _mixed_frame(rng, n=60):
    X = pd.DataFrame(
        {
            "size": rng.normal(size=n),
            "age": rng.normal(size=n),
            "city": rng.choice(["Oslo", "Rome", "Lima"], size=n),
        }
    )
    X.loc[[1, n - 2], "age"] = np.nan
    return X


def test_a_pipeline_with_a_column_transformer_round_trips_exactly(pending_registry, rng, tmp_path):
    pipeline = pending_registry
    prep = pytest.importorskip("lemma.prep")
    if not hasattr(prep, "OneHotEncoder"):
        pytest.skip("lemma.prep.OneHotEncoder is not available yet")
    X = _mixed_frame(rng)
    y = 2 * X["size"] + (X["city"] == "Oslo") + rng.normal(scale=0.1, size=len(X))
    columns = pipeline.make_column_transformer(
        (pipeline.make_pipeline(prep.SimpleImputer(), prep.StandardScaler()), ["size", "age"]),
        (prep.OneHotEncoder(), pipeline.make_column_selector(kind="categorical")),
    )
    model = pipeline.make_pipeline(columns, lemma.Ridge(alpha=0.1)).fit(X, y)
    loaded = _round_trip(model, tmp_path, schema=X)
    _assert_same(model, loaded)
    _assert_same(model.predict(X), loaded.predict(X))
    new = _mixed_frame(rng, n=10)
    _assert_same(model.predict(new), loaded.predict(new))
    _assert_same(model.get_params(), loaded.get_params())
    assert loaded.named_steps["ridge"] is loaded.steps[-1][1]


def test_a_classifier_pipeline_keeps_its_probabilities(pending_registry, rng, tmp_path):
    from lemma.io import serialize

    pipeline = pending_registry
    classifiers = serialize._estimator_classes()
    if "LogisticRegression" not in classifiers:
        pytest.skip("LogisticRegression is not available yet")
    prep = pytest.importorskip("lemma.prep")
    X = _mixed_frame(rng)[["size", "age"]]
    y = np.where(X["size"] + rng.normal(scale=0.5, size=len(X)) > 0, "high", "low")
    model = pipeline.make_pipeline(prep.SimpleImputer(), classifiers["LogisticRegression"]()).fit(
        X, y
    )
    loaded = _round_trip(model, tmp_path)
    for method in ("predict", "predict_proba", "decision_function"):
        _assert_same(getattr(model, method)(X), getattr(loaded, method)(X), method)


def test_pipeline_records_round_trip(pending_registry):
    pipeline = pending_registry
    records = [
        pipeline.RowRemoval("dedupe", 5, np.array([1, 3]), np.array([1, 3])),
        pipeline.make_column_selector("^a", dtype_include=np.number, kind="numeric"),
    ]
    restored = decode(*encode(records))
    _assert_same(records, restored)
    frame = pd.DataFrame({"ab": [1.0], "ac": ["x"], "b": [2.0]})
    assert restored[1](frame) == records[1](frame) == ["ab"]


@pytest.mark.parametrize("labels", [["no", "yes"], ["x", "y", "z"]])
def test_glm_inference_results_survive(pending_registry, labels, rng, tmp_path):
    from lemma.io import serialize

    classes = serialize._estimator_classes()
    if "LogisticRegression" not in classes:
        pytest.skip("LogisticRegression is not available yet")
    X = pd.DataFrame(rng.normal(size=(120, 2)), columns=["u", "v"])
    y = np.asarray(labels)[rng.integers(len(labels), size=120)]
    model = classes["LogisticRegression"](penalty=None).fit(X, y)
    assert model.result_ is not None
    loaded = _round_trip(model, tmp_path)
    _assert_same(model, loaded)
    assert loaded.summary().as_text() == model.summary().as_text()


def test_save_into_a_missing_folder_says_so(tmp_path):
    with pytest.raises(ValueError, match=r"the folder .* does not exist; create it first"):
        save(lemma.Ridge(), tmp_path / "no" / "m.lemma")


def test_saved_files_follow_the_umask_like_any_other_file(tmp_path):
    path = save(lemma.Ridge(), tmp_path / "m.lemma")
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert path.stat().st_mode == plain.stat().st_mode
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
