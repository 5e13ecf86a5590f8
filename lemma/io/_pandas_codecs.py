"""pandas values for :mod:`lemma.io.serialize`: Series, Index, RangeIndex, DataFrame.

A column's values are stored with their dtype: a NumPy array (any dtype the
serializer accepts), a categorical (``codes`` into ``categories``, ``ordered``),
a string array (``storage``, ``na_value``; missing values as ``None``) or a
nullable Int/UInt/Float/boolean array (``data`` with a boolean ``mask``). Other
extension dtypes (period, interval, sparse, Arrow) are refused when saving.
``encoder``/``decoder`` are the serializer's walkers; every nested value goes
back through them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lemma.exceptions import ModelFileError, ModelSaveError

__all__ = ["DECODERS", "ENCODERS"]

_MASKED_DTYPES = "Int8 Int16 Int32 Int64 UInt8 UInt16 UInt32 UInt64 Float32 Float64 boolean".split()
_MASKED_ARRAYS = (pd.arrays.IntegerArray, pd.arrays.FloatingArray, pd.arrays.BooleanArray)


def _enc_values(enc: Any, values: Any, path: str, depth: int) -> dict:
    if isinstance(values.dtype, np.dtype):
        return {"kind": "numpy", "data": enc.encode(np.asarray(values), path, depth)}
    if isinstance(values, pd.Categorical):
        return {
            "kind": "category",
            "codes": enc.encode(np.asarray(values.codes), f"{path}.codes", depth),
            "categories": enc.encode(values.categories, f"{path}.categories", depth),
            "ordered": bool(values.ordered),
        }
    if isinstance(values.dtype, pd.StringDtype):
        data = values.to_numpy(dtype=object, na_value=None)
        return {
            "kind": "string",
            "storage": values.dtype.storage,
            "na_value": "NA" if values.dtype.na_value is pd.NA else "nan",
            "data": enc.encode(data, path, depth),
        }
    if isinstance(values, _MASKED_ARRAYS):
        numpy_dtype = values.dtype.numpy_dtype
        return {
            "kind": "masked",
            "dtype": values.dtype.name,
            "data": enc.encode(
                values.to_numpy(dtype=numpy_dtype, na_value=numpy_dtype.type(0)), path, depth
            ),
            "mask": enc.encode(np.asarray(pd.isna(values)), f"{path}.mask", depth),
        }
    raise ModelSaveError(
        f"cannot save {path}: pandas values of dtype {values.dtype}; convert them to a NumPy, "
        "category, string or nullable numeric dtype first."
    )


def _column(obj: Any) -> Any:
    return obj.to_numpy() if isinstance(obj.dtype, np.dtype) else obj.array


def _enc_series(enc: Any, value: pd.Series, path: str, depth: int) -> dict:
    return {
        "values": _enc_values(enc, _column(value), f"{path}.values", depth),
        "index": enc.encode(value.index, f"{path}.index", depth),
        "name": enc.encode(value.name, f"{path}.name", depth),
    }


def _enc_index(enc: Any, value: pd.Index, path: str, depth: int) -> dict:
    if isinstance(value, pd.MultiIndex):
        raise ModelSaveError(f"cannot save {path}: a pandas MultiIndex; reset it to columns first.")
    return {
        "values": _enc_values(enc, _column(value), path, depth),
        "name": enc.encode(value.name, f"{path}.name", depth),
    }


def _enc_range_index(enc: Any, value: pd.RangeIndex, path: str, depth: int) -> dict:
    return {
        "start": value.start,
        "stop": value.stop,
        "step": value.step,
        "name": enc.encode(value.name, f"{path}.name", depth),
    }


def _enc_frame(enc: Any, value: pd.DataFrame, path: str, depth: int) -> dict:
    data = [
        _enc_values(enc, _column(value.iloc[:, j]), f"{path}.iloc[:, {j}]", depth)
        for j in range(value.shape[1])
    ]
    return {
        "columns": enc.encode(value.columns, f"{path}.columns", depth),
        "index": enc.encode(value.index, f"{path}.index", depth),
        "data": data,
    }


def _dec_values(dec: Any, node: dict, path: str, depth: int) -> Any:
    kind = node["kind"]
    if kind == "numpy":
        return dec.decode(node["data"], path, depth)
    if kind == "category":
        dtype = pd.CategoricalDtype(
            dec.decode(node["categories"], path, depth), ordered=bool(node["ordered"])
        )
        return pd.Categorical.from_codes(dec.decode(node["codes"], path, depth), dtype=dtype)
    if kind == "string":
        na_value = pd.NA if node["na_value"] == "NA" else np.nan
        dtype = pd.StringDtype(storage=str(node["storage"]), na_value=na_value)
        return pd.array(dec.decode(node["data"], path, depth), dtype=dtype)
    if kind == "masked" and node["dtype"] in _MASKED_DTYPES:
        values = pd.array(dec.decode(node["data"], path, depth), dtype=node["dtype"])
        values[np.asarray(dec.decode(node["mask"], path, depth), dtype=bool)] = pd.NA
        return values
    raise ModelFileError(f"model.json holds pandas values of unknown kind {kind!r} at {path}.")


def _dec_series(dec: Any, node: dict, path: str, depth: int) -> pd.Series:
    values = _dec_values(dec, node["values"], f"{path}.values", depth)
    index = dec.decode(node["index"], f"{path}.index", depth)
    name = dec.decode(node["name"], f"{path}.name", depth)
    return pd.Series(values, index=index, name=name, copy=False)


def _dec_index(dec: Any, node: dict, path: str, depth: int) -> pd.Index:
    values = _dec_values(dec, node["values"], path, depth)
    name = dec.decode(node["name"], f"{path}.name", depth)
    return pd.Index(values, dtype=values.dtype, name=name, copy=False)


def _dec_range_index(dec: Any, node: dict, path: str, depth: int) -> pd.RangeIndex:
    bounds = [node[k] for k in ("start", "stop", "step")]
    if any(type(b) is not int for b in bounds):
        raise ModelFileError(f"model.json holds a malformed RangeIndex at {path}.")
    return pd.RangeIndex(*bounds, name=dec.decode(node["name"], f"{path}.name", depth))


def _dec_frame(dec: Any, node: dict, path: str, depth: int) -> pd.DataFrame:
    columns = dec.decode(node["columns"], f"{path}.columns", depth)
    index = dec.decode(node["index"], f"{path}.index", depth)
    data = [_dec_values(dec, v, f"{path}.iloc[:, {j}]", depth) for j, v in enumerate(node["data"])]
    if len(data) != len(columns):
        raise ModelFileError(f"model.json holds a DataFrame with mismatched columns at {path}.")
    frame = pd.DataFrame(dict(enumerate(data)), index=index, copy=False)
    frame.columns = columns
    return frame


#: codec name -> encoder / decoder, merged into the serializer's tables.
ENCODERS = {
    "Series": _enc_series,
    "Index": _enc_index,
    "RangeIndex": _enc_range_index,
    "DataFrame": _enc_frame,
}
DECODERS = {
    "Series": _dec_series,
    "Index": _dec_index,
    "RangeIndex": _dec_range_index,
    "DataFrame": _dec_frame,
}
