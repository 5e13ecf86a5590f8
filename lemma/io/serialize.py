"""Typed, explicit encoding of fitted estimators as JSON nodes plus NumPy arrays.

lemma never pickles a model: unpickling rebuilds objects by calling whatever the
file names, so loading an untrusted pickle runs arbitrary code. :func:`encode`
instead turns an estimator into a *graph* of JSON nodes and a table of NumPy
arrays, and :func:`decode` rebuilds it with the codecs of this module and nothing
else. A class is instantiated only if it is in lemma's estimator registry
(:func:`lemma.all_estimators`) or in :data:`ALLOWED_CLASSES` (lemma's own result
records), and only by ``cls.__new__(cls)`` followed by filling its ``__dict__``:
no ``__init__``, ``__setstate__`` or other code named by the file runs.

Nodes. ``str``, ``int``, ``bool``, ``None`` and finite ``float`` values are stored
as themselves; every other value is a JSON object ``{"type": codec, ...}``:

=================== =========================================================
codec               fields
=================== =========================================================
float               non-finite float: ``value`` = "nan", "inf" or "-inf"
list, tuple,        ``items``: list of nodes
set, frozenset
dict                ``items``: list of ``[key node, value node]`` (key types kept)
slice               ``start``, ``stop``, ``step``
ndarray             bool/number/str/bytes/datetime: ``ref`` = "arrays/<k>.npy"
                    (one ``.npy`` member per array, read with
                    ``allow_pickle=False``); object dtype: ``dtype`` = "object",
                    ``shape``, ``items`` (each element a node)
scalar              NumPy scalar: ``dtype`` and ``value`` (or ``hex``: its bytes)
dtype, type, ufunc  a NumPy dtype (``str``), a NumPy scalar type (concrete or
                    abstract, as ``np.number``), a builtin type, a NumPy ufunc,
                    by name
RandomState,        the bit generator's name and state
Generator
Series, Index,      values per column with their dtype (NumPy, category, string,
RangeIndex,         nullable Int/UInt/Float/boolean), index, names (codecs in
DataFrame           :mod:`lemma.io._pandas_codecs`)
estimator           ``class`` (its registry name), ``id``, ``params``, ``state``
object              a record of :data:`ALLOWED_CLASSES`: ``class``, ``id``, ``state``
ref                 ``id``: a further reference to an estimator or record
=================== =========================================================

An estimator's ``params`` are ``get_params(deep=False)``; its ``state`` is the
rest of its ``__dict__`` (the fitted attributes). Objects referenced twice are
stored once and rebuilt as one object. Anything else (a function, a class from
outside lemma, a scikit-learn estimator) is refused when saving, with the path
of the attribute that holds it.

Reference: NumPy NEP 1, "A simple file format for NumPy arrays".

Examples
--------
>>> import numpy as np
>>> from lemma.io.serialize import decode, encode
>>> graph, arrays = encode({"weights": np.array([0.5, 2.0]), "scale": float("inf")})
>>> graph["items"][1]
['scale', {'type': 'float', 'value': 'inf'}]
>>> decode(graph, arrays)["weights"]
array([0.5, 2. ])
"""

from __future__ import annotations

import dataclasses
import importlib
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import ModelFileError, ModelSaveError
from lemma.io import _pandas_codecs

__all__ = ["ALLOWED_CLASSES", "ModelFileError", "ModelSaveError", "decode", "encode"]


#: lemma's own record classes a model may hold, name -> (module, attribute).
ALLOWED_CLASSES: dict[str, tuple[str, str]] = {
    "ColumnSelector": ("lemma.pipeline", "ColumnSelector"),
    "GLMResults": ("lemma.stats.inference", "GLMResults"),
    "LstsqResult": ("lemma.linalg", "LstsqResult"),
    "OLSResults": ("lemma.stats.inference", "OLSResults"),
    "OptimizeResult": ("lemma.optim", "OptimizeResult"),
    "RowRemoval": ("lemma.pipeline", "RowRemoval"),
    "Separation": ("lemma.stats.inference", "Separation"),
    "Summary": ("lemma.stats.inference", "Summary"),
    "Tags": ("lemma.base", "Tags"),
    "Tree": ("lemma.models.tree", "Tree"),
    # a neural network's layers, its update rule and loss (fitted MLPs hold them)
    "Sequential": ("lemma.models.neural.sequential", "Sequential"),
    "Dense": ("lemma.models.neural.layers", "Dense"),
    "Dropout": ("lemma.models.neural.layers", "Dropout"),
    "BatchNormalization": ("lemma.models.neural.layers", "BatchNormalization"),
    **{
        name: ("lemma.models.neural.activations", name)
        for name in ("Identity", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "GELU", "Softmax")
    },
    **{name: ("lemma.optim.stochastic", name) for name in ("SGD", "AdaGrad", "RMSProp", "Adam")},
    **{
        name: ("lemma.optim.schedules", name)
        for name in (
            "Constant",
            "InverseScaling",
            "ExponentialDecay",
            "StepDecay",
            "CosineAnnealing",
        )
    },
    **{
        name: ("lemma.losses", name)
        for name in (
            "SquaredLoss",
            "HuberLoss",
            "PoissonLoss",
            "LogisticLoss",
            "SoftmaxCrossEntropy",
            "HingeLoss",
            "SquaredHingeLoss",
        )
    },
}

#: Deepest nesting of values accepted when saving or loading.
MAX_DEPTH = 200

_JSON_SCALARS = (str, int, bool, type(None))
_NPY_KINDS = "biufcmMUS"  # dtype kinds np.save stores without pickle
_NON_FINITE = {"nan": np.nan, "inf": math.inf, "-inf": -math.inf}  # np.nan: the usual default
_BUILTIN_TYPES = {t.__name__: t for t in (bool, int, float, complex, str, bytes, object)}
_ABSTRACT_NUMPY_TYPES = {
    t.__name__: t
    for t in (
        np.generic,
        np.number,
        np.integer,
        np.signedinteger,
        np.unsignedinteger,
        np.inexact,
        np.floating,
        np.complexfloating,
        np.flexible,
        np.character,
    )
}
_BIT_GENERATORS = {
    cls.__name__: cls
    for cls in (
        np.random.MT19937,
        np.random.PCG64,
        np.random.PCG64DXSM,
        np.random.Philox,
        np.random.SFC64,
    )
}
_UFUNCS = {name: f for name, f in vars(np).items() if isinstance(f, np.ufunc)}


def _estimator_classes() -> dict[str, type]:
    from lemma.registry import all_estimators

    return dict(all_estimators())


def _allowed_class(name: str) -> type | None:
    if name not in ALLOWED_CLASSES:
        return None
    module, attribute = ALLOWED_CLASSES[name]
    return getattr(importlib.import_module(module), attribute)


# ------------------------------------------------------------------------- encoding
class _Encoder:
    """Walks a value, collecting arrays and giving each estimator/record one id."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self._array_refs: dict[int, str] = {}
        self._ids: dict[int, int] = {}
        self._alive: list[Any] = []  # keeps encoded objects alive so ids stay unique
        self._open: set[int] = set()  # containers on the current path (cycle check)
        self.registry = _estimator_classes()

    def encode(self, value: Any, path: str, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise ModelSaveError(f"cannot save {path}: values nested over {MAX_DEPTH} deep.")
        if type(value) in _JSON_SCALARS or (type(value) is float and math.isfinite(value)):
            return value
        codec = _codec_of(value)
        if codec is None:
            raise ModelSaveError(_unsupported_message(value, path))
        if codec in _SHARED and id(value) in self._ids:
            return {"type": "ref", "id": self._ids[id(value)]}
        key = id(value)
        if key in self._open:
            raise ModelSaveError(f"cannot save {path}: it contains itself (a reference cycle).")
        self._open.add(key)
        try:
            return {"type": codec, **_ENCODERS[codec](self, value, path, depth + 1)}
        finally:
            self._open.discard(key)

    def add_array(self, array: np.ndarray) -> str:
        if id(array) not in self._array_refs:
            ref = f"arrays/{len(self.arrays)}.npy"
            self.arrays[ref] = array
            self._array_refs[id(array)] = ref
        return self._array_refs[id(array)]

    def new_id(self, obj: Any) -> int:
        """Number an estimator or record at its first occurrence (later ones are refs)."""
        self._ids[id(obj)] = len(self._ids)
        self._alive.append(obj)
        return self._ids[id(obj)]


def _unsupported_message(value: Any, path: str) -> str:
    cls = type(value)
    where = f"{cls.__module__}.{cls.__qualname__}"
    if hasattr(value, "get_params") and not isinstance(value, type):
        return (
            f"cannot save {path}: {where} is not a lemma estimator; lemma saves only the "
            "classes listed by lemma.all_estimators(), so that loading never runs foreign code. "
            f"Use lemma's equivalent{_lemma_equivalent(cls.__name__)} instead."
        )
    if callable(value) and not isinstance(value, type):
        name = getattr(value, "__name__", "")
        hint = (
            f'Pass its name instead (score_func="{name}"): lemma looks it up when it fits.'
            if name in _named_functions()
            else "Use a lemma transformer (or a NumPy ufunc) in its place."
        )
        return (
            f"cannot save {path}: a Python function or callable ({where}); lemma saves no code. "
            + hint
        )
    return (
        f"cannot save {path}: a {where} object, which lemma cannot save safely (it saves numbers, "
        "strings, NumPy arrays, pandas objects, containers of these and lemma estimators)."
    )


def _named_functions() -> set[str]:
    """Functions that lemma's parameters also accept by name (the univariate scores)."""
    from lemma.features import scores

    return set(scores.__all__)


def _lemma_equivalent(name: str) -> str:
    from lemma.registry import PUBLIC

    return f" (lemma.{name})" if name in PUBLIC else ""


def _float_node(value: float) -> Any:
    if math.isfinite(value):
        return value
    text = "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return {"type": "float", "value": text}


def _enc_float(enc: _Encoder, value: float, path: str, depth: int) -> dict:
    return {"value": _float_node(value)["value"]}


def _enc_items(enc: _Encoder, value: Any, path: str, depth: int) -> dict:
    if isinstance(value, set | frozenset):
        try:
            value = sorted(value)
        except TypeError:
            value = list(value)
    return {"items": [enc.encode(v, f"{path}[{i}]", depth) for i, v in enumerate(value)]}


def _enc_dict(enc: _Encoder, value: dict, path: str, depth: int) -> dict:
    items = []
    for key, item in value.items():
        items.append(
            [enc.encode(key, f"{path}.keys()", depth), enc.encode(item, f"{path}[{key!r}]", depth)]
        )
    return {"items": items}


def _enc_slice(enc: _Encoder, value: slice, path: str, depth: int) -> dict:
    return {
        k: enc.encode(getattr(value, k), f"{path}.{k}", depth) for k in ("start", "stop", "step")
    }


def _enc_ndarray(enc: _Encoder, value: np.ndarray, path: str, depth: int) -> dict:
    dtype = value.dtype
    if dtype.kind in _NPY_KINDS and dtype.fields is None and dtype.subdtype is None:
        return {"ref": enc.add_array(value)}
    if dtype.kind == "O":
        flat = value.ravel(order="C")
        index = "[{}]" if value.ndim == 1 else ".flat[{}]"
        items = [enc.encode(v, path + index.format(i), depth) for i, v in enumerate(flat)]
        return {"dtype": "object", "shape": list(value.shape), "items": items}
    raise ModelSaveError(
        f"cannot save {path}: a NumPy array of dtype {dtype}; store plain numeric, boolean, "
        "string or datetime arrays instead."
    )


def _enc_scalar(enc: _Encoder, value: np.generic, path: str, depth: int) -> dict:
    dtype = value.dtype
    if dtype.kind not in _NPY_KINDS:
        raise ModelSaveError(f"cannot save {path}: a NumPy scalar of dtype {dtype}.")
    node: dict[str, Any] = {"dtype": dtype.str}
    if dtype.kind in "biuU":
        node["value"] = value.item()
    elif dtype.kind == "f" and dtype.itemsize <= 8:
        node["value"] = _float_node(float(value))
    else:
        node["hex"] = value.tobytes().hex()
    return node


def _enc_dtype(enc: _Encoder, value: np.dtype, path: str, depth: int) -> dict:
    if value.fields is not None or value.subdtype is not None:
        raise ModelSaveError(f"cannot save {path}: a structured NumPy dtype ({value}).")
    return {"str": value.str}


def _enc_type(enc: _Encoder, value: type, path: str, depth: int) -> dict:
    if _BUILTIN_TYPES.get(value.__name__) is value:
        return {"builtin": value.__name__}
    if _ABSTRACT_NUMPY_TYPES.get(value.__name__) is value:
        return {"numpy_abstract": value.__name__}
    if issubclass(value, np.generic):
        try:
            dtype = np.dtype(value)
        except TypeError:
            dtype = None
        if dtype is not None and dtype.type is value:
            return {"numpy": dtype.str}
    raise ModelSaveError(
        f"cannot save {path}: the class {value.__module__}.{value.__qualname__}; only NumPy "
        "scalar types and builtin types can be saved as values."
    )


def _enc_ufunc(enc: _Encoder, value: np.ufunc, path: str, depth: int) -> dict:
    if _UFUNCS.get(value.__name__) is not value:
        raise ModelSaveError(f"cannot save {path}: the ufunc {value!r} is not one of NumPy's own.")
    return {"name": value.__name__}


def _enc_random_state(enc: _Encoder, value: np.random.RandomState, path: str, depth: int) -> dict:
    state = value.get_state(legacy=False)
    if state["bit_generator"] != "MT19937":
        raise ModelSaveError(
            f"cannot save {path}: a RandomState on {state['bit_generator']}; only MT19937 "
            "(np.random.RandomState(seed)) is supported."
        )
    return {"state": enc.encode(state, f"{path}.state", depth)}


def _enc_generator(enc: _Encoder, value: np.random.Generator, path: str, depth: int) -> dict:
    bit_generator = value.bit_generator
    name = type(bit_generator).__name__
    if _BIT_GENERATORS.get(name) is not type(bit_generator):
        raise ModelSaveError(f"cannot save {path}: a Generator on the bit generator {name}.")
    return {"bit_generator": name, "state": enc.encode(bit_generator.state, f"{path}.state", depth)}


def _enc_estimator(enc: _Encoder, value: Any, path: str, depth: int) -> dict:
    cls = type(value)
    if enc.registry.get(cls.__name__) is not cls:
        raise ModelSaveError(
            f"cannot save {path}: {cls.__module__}.{cls.__qualname__} is not in lemma's estimator "
            "registry (lemma.all_estimators()), so a file naming it could not be loaded safely; "
            "register the class or use a registered lemma estimator."
        )
    params = value.get_params(deep=False)
    state = {k: v for k, v in vars(value).items() if k not in params}
    return {
        "class": cls.__name__,
        "id": enc.new_id(value),
        "params": {k: enc.encode(v, f"{path}.{k}", depth) for k, v in params.items()},
        "state": {k: enc.encode(v, f"{path}.{k}", depth) for k, v in state.items()},
    }


def _enc_object(enc: _Encoder, value: Any, path: str, depth: int) -> dict:
    cls = type(value)
    if not hasattr(value, "__dict__"):
        raise ModelSaveError(f"cannot save {path}: {cls.__qualname__} keeps no __dict__.")
    return {
        "class": cls.__name__,
        "id": enc.new_id(value),
        "state": {k: enc.encode(v, f"{path}.{k}", depth) for k, v in vars(value).items()},
    }


def _codec_of(value: Any) -> str | None:
    """The codec's name for ``value``: by exact type first, then by family."""
    name = _BY_TYPE.get(type(value))
    if name is not None:
        return name
    for test, family in _FAMILIES:
        if test(value):
            return family
    return None


def _is_estimator(value: Any) -> bool:
    from lemma.base import BaseEstimator

    return isinstance(value, BaseEstimator)


def _is_allowed_record(value: Any) -> bool:
    return _allowed_class(type(value).__name__) is type(value)


# ------------------------------------------------------------------------- decoding
class _Decoder:
    """Rebuilds values from nodes; every class comes from the registry or the allowlist."""

    def __init__(self, arrays: Mapping[str, np.ndarray]) -> None:
        self.arrays = arrays
        self.memo: dict[int, Any] = {}
        self.registry = _estimator_classes()

    def decode(self, node: Any, path: str, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise ModelFileError(f"model.json nests values over {MAX_DEPTH} deep at {path}.")
        if type(node) in _JSON_SCALARS:
            return node
        if type(node) is float:
            if not math.isfinite(node):
                raise ModelFileError(f"model.json holds a bare non-finite number at {path}.")
            return node
        if type(node) is not dict or node.get("type") not in _DECODERS:
            kind = node.get("type") if type(node) is dict else type(node).__name__
            raise ModelFileError(f"model.json holds an unknown value type {kind!r} at {path}.")
        try:
            return _DECODERS[node["type"]](self, node, path, depth + 1)
        except ModelFileError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError) as exc:
            raise ModelFileError(
                f"model.json is malformed at {path} ({type(exc).__name__}: {exc})."
            ) from exc

    def remember(self, node: dict, obj: Any, path: str) -> None:
        ident = node["id"]
        if type(ident) is not int or ident in self.memo:
            raise ModelFileError(f"model.json gives an invalid object id at {path}.")
        self.memo[ident] = obj

    def attributes(self, fields: Any, path: str, depth: int) -> dict[str, Any]:
        if type(fields) is not dict:
            raise ModelFileError(f"model.json holds malformed attributes at {path}.")
        out = {}
        for key, node in fields.items():
            if not key.isidentifier() or key.startswith("__"):
                raise ModelFileError(f"model.json names an invalid attribute {key!r} at {path}.")
            out[key] = self.decode(node, f"{path}.{key}", depth)
        return out


def _dec_float(dec: _Decoder, node: dict, path: str, depth: int) -> float:
    return _NON_FINITE[node["value"]]


def _dec_list(dec: _Decoder, node: dict, path: str, depth: int) -> list:
    return [dec.decode(v, f"{path}[{i}]", depth) for i, v in enumerate(node["items"])]


def _dec_dict(dec: _Decoder, node: dict, path: str, depth: int) -> dict:
    out = {}
    for key, value in node["items"]:
        out[dec.decode(key, f"{path}.keys()", depth)] = dec.decode(value, f"{path}[..]", depth)
    return out


def _dec_slice(dec: _Decoder, node: dict, path: str, depth: int) -> slice:
    return slice(*(dec.decode(node[k], f"{path}.{k}", depth) for k in ("start", "stop", "step")))


def _dec_ndarray(dec: _Decoder, node: dict, path: str, depth: int) -> np.ndarray:
    if "ref" in node:
        if node["ref"] not in dec.arrays:
            raise ModelFileError(f"model.json refers to a missing array {node['ref']!r} at {path}.")
        return dec.arrays[node["ref"]]
    if node["dtype"] != "object":
        raise ModelFileError(f"model.json holds an inline array of dtype {node['dtype']!r}.")
    shape = tuple(int(n) for n in node["shape"])
    items = [dec.decode(v, f"{path}.flat[{i}]", depth) for i, v in enumerate(node["items"])]
    if math.prod(shape) != len(items):
        raise ModelFileError(f"model.json holds an object array of the wrong size at {path}.")
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out.reshape(shape)


def _plain_dtype(text: Any) -> np.dtype:
    dtype = np.dtype(str(text))
    if dtype.kind not in _NPY_KINDS or dtype.fields is not None:
        raise ModelFileError(f"model.json names an unsupported dtype {text!r}.")
    return dtype


def _dec_scalar(dec: _Decoder, node: dict, path: str, depth: int) -> np.generic:
    dtype = _plain_dtype(node["dtype"])
    if "hex" in node:
        values = np.frombuffer(bytes.fromhex(node["hex"]), dtype=dtype)
        if values.shape != (1,):
            raise ModelFileError(f"model.json holds a scalar of the wrong size at {path}.")
        return values[0]
    return dtype.type(dec.decode(node["value"], path, depth))


def _dec_dtype(dec: _Decoder, node: dict, path: str, depth: int) -> np.dtype:
    dtype = np.dtype(str(node["str"]))
    if dtype.fields is not None:
        raise ModelFileError(f"model.json names a structured dtype at {path}.")
    return dtype


def _dec_type(dec: _Decoder, node: dict, path: str, depth: int) -> type:
    if "builtin" in node:
        return _BUILTIN_TYPES[node["builtin"]]
    if "numpy_abstract" in node:
        return _ABSTRACT_NUMPY_TYPES[node["numpy_abstract"]]
    return _plain_dtype(node["numpy"]).type


def _dec_ufunc(dec: _Decoder, node: dict, path: str, depth: int) -> np.ufunc:
    return _UFUNCS[node["name"]]


def _dec_random_state(dec: _Decoder, node: dict, path: str, depth: int) -> np.random.RandomState:
    random_state = np.random.RandomState()
    random_state.set_state(dec.decode(node["state"], f"{path}.state", depth))
    return random_state


def _dec_generator(dec: _Decoder, node: dict, path: str, depth: int) -> np.random.Generator:
    bit_generator = _BIT_GENERATORS[node["bit_generator"]]()
    bit_generator.state = dec.decode(node["state"], f"{path}.state", depth)
    return np.random.Generator(bit_generator)


def _dec_estimator(dec: _Decoder, node: dict, path: str, depth: int) -> Any:
    name = node["class"]
    cls = dec.registry.get(name) if type(name) is str else None
    if cls is None:
        raise ModelFileError(
            f"the model file names the class {name!r} at {path}, which is not an estimator in "
            "this lemma's registry (lemma.all_estimators()); it was written by another version "
            "of lemma or forged, and lemma loads only classes it knows."
        )
    obj = cls.__new__(cls)
    dec.remember(node, obj, path)
    params = dec.attributes(node["params"], path, depth)
    expected = set(cls._get_param_names())
    if not set(params) <= expected:
        raise ModelFileError(
            f"the model file gives {name} parameters {sorted(set(params) - expected)} at {path}, "
            "which this lemma's version does not have; load it with the lemma that saved it."
        )
    defaults = _init_defaults(cls)
    missing = expected - set(params) - set(defaults)
    if missing:
        raise ModelFileError(f"the model file lacks {name} parameters {sorted(missing)} at {path}.")
    vars(obj).update({k: defaults[k] for k in expected - set(params)})
    vars(obj).update(params)
    vars(obj).update(dec.attributes(node["state"], path, depth))
    return obj


def _init_defaults(cls: type) -> dict[str, Any]:
    import inspect

    parameters = inspect.signature(cls.__init__).parameters.values()
    return {p.name: p.default for p in parameters if p.default is not p.empty}


def _dec_object(dec: _Decoder, node: dict, path: str, depth: int) -> Any:
    name = node["class"]
    cls = _allowed_class(name) if type(name) is str else None
    if cls is None:
        raise ModelFileError(
            f"the model file names the class {name!r} at {path}, which is not one of the lemma "
            f"records a model may hold ({sorted(ALLOWED_CLASSES)}); refusing to load it."
        )
    obj = cls.__new__(cls)
    dec.remember(node, obj, path)
    state = dec.attributes(node["state"], path, depth)
    if dataclasses.is_dataclass(cls):
        for f in dataclasses.fields(cls):
            if f.name in state:
                continue
            if f.default is not dataclasses.MISSING:
                state[f.name] = f.default
            elif f.default_factory is not dataclasses.MISSING:
                state[f.name] = f.default_factory()
            else:
                raise ModelFileError(f"the model file lacks {name}.{f.name} at {path}.")
    vars(obj).update(state)
    return obj


def _dec_ref(dec: _Decoder, node: dict, path: str, depth: int) -> Any:
    if type(node["id"]) is not int or node["id"] not in dec.memo:
        raise ModelFileError(f"model.json refers to an unknown object at {path}.")
    return dec.memo[node["id"]]


def _dec_tuple(dec: _Decoder, node: dict, path: str, depth: int) -> tuple:
    return tuple(_dec_list(dec, node, path, depth))


def _dec_set(dec: _Decoder, node: dict, path: str, depth: int) -> set:
    return set(_dec_list(dec, node, path, depth))


def _dec_frozenset(dec: _Decoder, node: dict, path: str, depth: int) -> frozenset:
    return frozenset(_dec_list(dec, node, path, depth))


# -------------------------------------------------------------------------- tables
#: codec name -> encoder (returns the node's fields besides "type").
_ENCODERS: dict[str, Callable[..., dict]] = {
    "float": _enc_float,
    "list": _enc_items,
    "tuple": _enc_items,
    "set": _enc_items,
    "frozenset": _enc_items,
    "dict": _enc_dict,
    "slice": _enc_slice,
    "ndarray": _enc_ndarray,
    "scalar": _enc_scalar,
    "dtype": _enc_dtype,
    "type": _enc_type,
    "ufunc": _enc_ufunc,
    "RandomState": _enc_random_state,
    "Generator": _enc_generator,
    "estimator": _enc_estimator,
    "object": _enc_object,
    **_pandas_codecs.ENCODERS,
}

#: codec name -> decoder; the only code that runs when a model file is read.
_DECODERS: dict[str, Callable[..., Any]] = {
    "float": _dec_float,
    "list": _dec_list,
    "tuple": _dec_tuple,
    "set": _dec_set,
    "frozenset": _dec_frozenset,
    "dict": _dec_dict,
    "slice": _dec_slice,
    "ndarray": _dec_ndarray,
    "scalar": _dec_scalar,
    "dtype": _dec_dtype,
    "type": _dec_type,
    "ufunc": _dec_ufunc,
    "RandomState": _dec_random_state,
    "Generator": _dec_generator,
    "estimator": _dec_estimator,
    "object": _dec_object,
    "ref": _dec_ref,
    **_pandas_codecs.DECODERS,
}

#: codecs of objects whose identity is kept (stored once, then referred to by id).
_SHARED = ("estimator", "object")

#: exact Python type -> codec name.
_BY_TYPE: dict[type, str] = {
    float: "float",
    list: "list",
    tuple: "tuple",
    set: "set",
    frozenset: "frozenset",
    dict: "dict",
    slice: "slice",
    np.ndarray: "ndarray",
    np.ufunc: "ufunc",
    np.random.RandomState: "RandomState",
    np.random.Generator: "Generator",
    pd.Series: "Series",
    pd.RangeIndex: "RangeIndex",
    pd.DataFrame: "DataFrame",
}

#: families of types (subclasses) -> codec name, tried in order.
_FAMILIES: list[tuple[Callable[[Any], bool], str]] = [
    (lambda v: isinstance(v, np.generic), "scalar"),
    (lambda v: isinstance(v, np.dtype), "dtype"),
    (lambda v: isinstance(v, type), "type"),
    (lambda v: isinstance(v, pd.Index) and not isinstance(v, pd.RangeIndex), "Index"),
    (_is_estimator, "estimator"),
    (_is_allowed_record, "object"),
]


# --------------------------------------------------------------------------- public
def encode(obj: Any) -> tuple[Any, dict[str, np.ndarray]]:
    """Encode ``obj`` as a JSON-ready graph and the arrays it refers to.

    Parameters
    ----------
    obj : estimator or value
        A registered lemma estimator (fitted or not), or any value built from the
        supported types (see the module docstring).

    Returns
    -------
    graph : JSON-ready value
        Serialise with ``json.dumps(graph, allow_nan=False)``.
    arrays : dict of str to ndarray
        ``"arrays/<k>.npy"`` -> array, for the nodes that refer to them.

    Raises
    ------
    ModelSaveError
        A value cannot be saved safely; the message names its attribute path,
        e.g. ``Pipeline.steps[1][1].func``.

    Examples
    --------
    >>> import numpy as np
    >>> from lemma.io.serialize import encode
    >>> graph, arrays = encode((np.float32(0.5), np.arange(3)))
    >>> graph["items"][0], list(arrays)
    ({'type': 'scalar', 'dtype': '<f4', 'value': 0.5}, ['arrays/0.npy'])
    """
    encoder = _Encoder()
    graph = encoder.encode(obj, type(obj).__name__, 0)
    return graph, encoder.arrays


def decode(graph: Any, arrays: Mapping[str, np.ndarray]) -> Any:
    """Rebuild the value that :func:`encode` turned into ``graph`` and ``arrays``.

    Only the codecs of this module run; estimator classes come from the registry and
    record classes from :data:`ALLOWED_CLASSES`, instantiated without calling
    ``__init__``.

    Raises
    ------
    ModelFileError
        The graph names an unknown type or class, or is malformed; the message says
        where.

    Examples
    --------
    >>> from lemma.io.serialize import decode
    >>> decode({"type": "tuple", "items": [1, {"type": "float", "value": "nan"}]}, {})
    (1, nan)
    """
    try:
        return _Decoder(arrays).decode(graph, "model", 0)
    except RecursionError as exc:
        raise ModelFileError("model.json nests values too deeply to be a lemma model.") from exc
