"""Safe model files: :func:`save` and :func:`load`, with no pickle anywhere.

A ``.lemma`` file is a zip archive of plain members:

=================== ============================================================
member              content
=================== ============================================================
``manifest.json``   ``format`` ("lemma-model"), ``format_version``,
                    ``lemma_version``, ``created`` (UTC, ISO 8601), ``class`` (the
                    model's registry name) and ``members``: the SHA-256 of every
                    other member
``model.json``      the model as a graph of typed JSON nodes
                    (:mod:`lemma.io.serialize`)
``arrays/<k>.npy``  the NumPy arrays the graph refers to (``np.save``; read back
                    with ``allow_pickle=False``)
``schema.json``     optional: the training :class:`~lemma.io.schema.FeatureSchema`
``card.md`` or      optional: the model card, as Markdown text or as JSON
``card.json``
``metadata.json``   optional: free JSON (metrics, study information)
=================== ============================================================

Loading checks, in order, and refuses the file at the first failure with a
:class:`ModelFileError` saying what is wrong and what to do: the file exists and
is not empty → it is a zip archive (a pickle renamed ``.lemma`` is named as
such) whose members have safe, distinct names and a bounded size → the manifest
is present and well formed → its ``format_version`` is at most
:data:`FORMAT_VERSION` (a newer file asks for a newer lemma) → every member's
SHA-256 matches and no member is unlisted → the arrays are plain ``.npy`` arrays
→ the graph decodes with the registry and allowlist of
:mod:`lemma.io.serialize`. No step calls pickle, ``eval``, or imports a module
named by the file, so a foreign or forged file executes nothing.

The hashes detect corruption and edits of a member; they are not a signature —
someone who rewrites the manifest can make any archive consistent. Safety
against a malicious file comes from the decoder, which only builds lemma's own
classes from data.

Reference: PKWARE, *APPNOTE.TXT — .ZIP File Format Specification* 6.3.10;
NIST FIPS 180-4 (SHA-256); NumPy NEP 1 (``.npy``).

Examples
--------
>>> import tempfile, pathlib
>>> import numpy as np
>>> import lemma
>>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([1.0, 3.0, 5.0])
>>> model = lemma.Ridge(alpha=1e-9).fit(X, y)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "ridge.lemma"
>>> lemma.save(model, path, metadata={"note": "y = 1 + 2x"})
PosixPath('.../ridge.lemma')
>>> loaded = lemma.load(path)
>>> loaded.predict([[3.0]]).round(6), loaded.coef_ is not model.coef_
(array([7.]), True)
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import re
import secrets
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lemma._version import __version__
from lemma.exceptions import ModelFileError, ModelSaveError, ParameterError
from lemma.io.schema import FeatureSchema
from lemma.io.serialize import decode, encode

__all__ = [
    "FORMAT_VERSION",
    "ModelFile",
    "ModelFileError",
    "ModelSaveError",
    "load",
    "load_file",
    "save",
]

#: Version of the archive layout written by this lemma; files up to it can be read.
FORMAT_VERSION = 1
FORMAT_NAME = "lemma-model"
#: Refuse archives declaring more members or more uncompressed bytes than this.
MAX_MEMBERS = 100_000
MAX_BYTES = 16 * 2**30

_OPTIONAL = ("schema.json", "card.md", "card.json", "metadata.json")
_ARRAY_NAME = re.compile(r"arrays/[0-9]{1,9}\.npy")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # member timestamps: the file's bytes depend on content only
_PICKLE_START = (b"\x80", b"(", b"c", b"]", b"}")


@dataclass(frozen=True)
class ModelFile:
    """Everything a ``.lemma`` file holds (see :func:`load_file`).

    Attributes
    ----------
    model : estimator
    schema : FeatureSchema or None
        The training feature schema, if one was saved.
    card : str, dict or None
        The model card (Markdown text or JSON), if one was saved.
    metadata : dict
    lemma_version : str
        The lemma that saved the file.
    format_version : int
    created : str
        When the file was saved (UTC, ISO 8601).
    """

    model: Any
    schema: FeatureSchema | None = None
    card: str | dict | None = None
    metadata: dict = field(default_factory=dict)
    lemma_version: str = ""
    format_version: int = FORMAT_VERSION
    created: str = ""


# --------------------------------------------------------------------------- saving
def _json_bytes(value: Any, *, allow_nan: bool = False) -> bytes:
    return json.dumps(value, indent=1, allow_nan=allow_nan, default=_plain_json).encode("utf-8")


def _plain_json(value: Any) -> Any:
    """NumPy scalars and arrays in metadata become plain JSON numbers and lists."""
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _optional_members(schema: Any, card: Any, metadata: Any) -> dict[str, bytes]:
    members = {}
    if schema is not None:
        if not isinstance(schema, FeatureSchema):
            schema = FeatureSchema.from_frame(schema)
        members["schema.json"] = schema.to_json().encode("utf-8")
    if isinstance(card, str):
        members["card.md"] = card.encode("utf-8")
    elif isinstance(card, dict):
        members["card.json"] = _json_bytes(card, allow_nan=True)
    elif card is not None:
        raise ParameterError(
            f"card must be Markdown text, a dict or None; got {type(card).__name__}."
        )
    if metadata is not None:
        if not isinstance(metadata, dict):
            raise ParameterError(f"metadata must be a dict; got {type(metadata).__name__}.")
        try:
            members["metadata.json"] = _json_bytes(metadata, allow_nan=True)
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"metadata must be plain JSON data: {exc}.") from exc
    return members


def save(
    model: Any,
    path: str | os.PathLike,
    *,
    schema: FeatureSchema | Any = None,
    card: str | dict | None = None,
    metadata: dict | None = None,
) -> Path:
    """Save a lemma estimator (fitted or not) to a ``.lemma`` file, without pickle.

    Parameters
    ----------
    model : estimator
        An estimator listed by :func:`lemma.all_estimators`, or a pipeline of them.
    path : str or path-like
        Where to write (conventionally ``*.lemma``); written to a temporary file
        first and moved into place, so a failed save leaves no partial file.
    schema : FeatureSchema or DataFrame, optional
        The training feature schema, or training inputs to infer it from
        (:meth:`FeatureSchema.from_frame`); ``lemma predict`` checks data against it.
    card : str or dict, optional
        A model card: Markdown text (``card.md``) or JSON (``card.json``).
    metadata : dict, optional
        Free JSON data (metrics, study information); NumPy numbers are converted.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ModelSaveError
        The model holds something lemma cannot save safely; the message names its
        attribute path (for example a scikit-learn step inside a pipeline).

    Examples
    --------
    See the module docstring.
    """
    from lemma.base import BaseEstimator

    if not isinstance(model, BaseEstimator):
        raise ModelSaveError(
            f"lemma.save saves lemma estimators; got a {type(model).__module__}."
            f"{type(model).__qualname__}."
        )
    graph, arrays = encode(model)
    members = {"model.json": _json_bytes(graph)}
    members.update({name: _npy_bytes(array) for name, array in arrays.items()})
    members.update(_optional_members(schema, card, metadata))
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "lemma_version": __version__,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "class": type(model).__name__,
        "members": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()},
    }
    path = Path(path)
    if not path.parent.is_dir():
        raise ParameterError(
            f"cannot save to {str(path)!r}: the folder {str(path.parent)!r} does not exist; "
            "create it first."
        )
    # a temporary neighbour, moved into place when complete (permissions follow the umask)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        with open(temporary, "xb") as f, zipfile.ZipFile(f, "w") as archive:
            for name, data in {"manifest.json": _json_bytes(manifest), **members}.items():
                info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


# -------------------------------------------------------------------------- loading
def _refuse(path: Path, problem: str, remedy: str) -> ModelFileError:
    return ModelFileError(f"cannot load {str(path)!r}: {problem}; {remedy}.")


def _not_zip(path: Path, head: bytes) -> ModelFileError:
    if head.startswith(b"PK"):
        return _refuse(
            path,
            "the file is truncated or damaged (it starts like a zip archive but its directory "
            "cannot be read)",
            "copy it again or re-save the model",
        )
    looks = (
        "; it looks like a Python pickle, which lemma never loads because unpickling can run code"
        if head[:1] in _PICKLE_START
        else ""
    )
    return _refuse(
        path,
        f"not a lemma model file (not a zip archive{looks})",
        "pass a file written by lemma.save",
    )


def _read_members(path: Path) -> dict[str, bytes]:
    """The archive's members, after the checks that need no member content."""
    if not path.exists():
        raise _refuse(path, "the file does not exist", "check the path")
    if path.is_dir():
        raise _refuse(path, "it is a directory", "pass the .lemma file inside it")
    with open(path, "rb") as f:
        head = f.read(8)
    if not head:
        raise _refuse(path, "the file is empty (0 bytes)", "re-save the model with lemma.save")
    if not zipfile.is_zipfile(path):
        raise _not_zip(path, head)
    damaged = "the archive is damaged or truncated"
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = [info.filename for info in infos]
            if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_BYTES:
                raise _refuse(
                    path, "the archive is too large to be a lemma model", "check the file"
                )
            if len(set(names)) != len(names):
                raise _refuse(path, "the archive holds two members with one name", "re-save it")
            return {info.filename: archive.read(info) for info in infos}
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        RuntimeError,
        ValueError,
    ) as exc:
        if isinstance(exc, ModelFileError):
            raise
        raise _refuse(path, f"{damaged} ({exc})", "copy it again or re-save the model") from exc


def _reject_constant(name: str) -> float:
    raise ValueError(f"non-standard JSON constant {name}")


def _parse_json(path: Path, name: str, data: bytes, *, allow_nan: bool = False) -> Any:
    try:
        if allow_nan:
            return json.loads(data.decode("utf-8"))
        return json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _refuse(path, f"{name} is not valid JSON ({exc})", "re-save the model") from exc


def _read_manifest(path: Path, members: dict[str, bytes]) -> dict[str, Any]:
    if "manifest.json" not in members:
        raise _refuse(
            path,
            "the archive has no manifest.json, so it is not a lemma model file",
            "pass a file written by lemma.save",
        )
    manifest = _parse_json(path, "manifest.json", members["manifest.json"])
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise _refuse(path, "manifest.json does not describe a lemma model", "re-save the model")
    version = manifest.get("format_version")
    if type(version) is not int or version < 1:
        raise _refuse(
            path, f"manifest.json gives an invalid format version {version!r}", "re-save the model"
        )
    if version > FORMAT_VERSION:
        raise _refuse(
            path,
            f"it was saved by a newer lemma (format {version} > {FORMAT_VERSION}, lemma "
            f"{manifest.get('lemma_version', '?')})",
            f"upgrade lemma (this is lemma {__version__}): pip install --upgrade lemma",
        )
    listed = manifest.get("members")
    valid_hash = re.compile(r"[0-9a-f]{64}")
    if not isinstance(listed, dict) or not all(
        isinstance(h, str) and valid_hash.fullmatch(h) for h in listed.values()
    ):
        raise _refuse(path, "manifest.json has no valid member hashes", "re-save the model")
    for key in ("lemma_version", "created"):
        if not isinstance(manifest.get(key, ""), str):
            raise _refuse(path, f"manifest.json gives an invalid {key}", "re-save the model")
    return manifest


def _verify_members(path: Path, members: dict[str, bytes], listed: dict[str, str]) -> None:
    for name, data in members.items():
        if name == "manifest.json":
            continue
        if name not in listed:
            raise _refuse(
                path,
                f"it holds a member {name!r} that its manifest does not list (the archive was "
                "altered after saving)",
                "use the original file or re-save the model",
            )
        if hashlib.sha256(data).hexdigest() != listed[name]:
            raise _refuse(
                path,
                f"member {name!r} fails its SHA-256 check (the file was modified or corrupted "
                "after saving)",
                "use the original file or re-save the model",
            )
    absent = sorted(set(listed) - set(members))
    if absent:
        raise _refuse(path, f"members {absent} listed in its manifest are missing", "re-save it")
    unknown = [n for n in members if n not in ("manifest.json", "model.json", *_OPTIONAL)]
    unknown = [n for n in unknown if not _ARRAY_NAME.fullmatch(n)]
    if unknown or "model.json" not in members:
        problem = f"unexpected members {unknown}" if unknown else "no model.json"
        raise _refuse(path, f"the archive has {problem}", "pass a file written by lemma.save")


def _read_arrays(path: Path, members: dict[str, bytes]) -> dict[str, np.ndarray]:
    arrays = {}
    for name, data in members.items():
        if not _ARRAY_NAME.fullmatch(name):
            continue
        try:
            arrays[name] = np.lib.format.read_array(io.BytesIO(data), allow_pickle=False)
        except ValueError as exc:
            problem = (
                f"{name} holds Python objects (a pickle), which lemma never loads"
                if "allow_pickle" in str(exc)
                else f"{name} is not a valid .npy array ({exc})"
            )
            raise _refuse(path, problem, "re-save the model with lemma.save") from exc
    return arrays


def load_file(path: str | os.PathLike) -> ModelFile:
    """Read a ``.lemma`` file: the model with its schema, card and metadata.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    ModelFile

    Raises
    ------
    ModelFileError
        The file is missing, empty, not a lemma model (a pickle, another zip),
        truncated, altered after saving, from a newer lemma, or names a class
        outside lemma's registry. Nothing from the file is executed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import lemma
    >>> from lemma.io.persist import load_file
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.lemma"
    >>> _ = lemma.save(lemma.Ridge(alpha=2.0), path, card="# Ridge\\nUntrained.")
    >>> saved = load_file(path)
    >>> saved.model, saved.card.splitlines()[0], saved.format_version
    (Ridge(alpha=2.0), '# Ridge', 1)
    """
    from lemma.base import BaseEstimator

    path = Path(path)
    members = _read_members(path)
    manifest = _read_manifest(path, members)
    _verify_members(path, members, manifest["members"])
    arrays = _read_arrays(path, members)
    graph = _parse_json(path, "model.json", members["model.json"])
    try:
        model = decode(graph, arrays)
    except ModelFileError as exc:
        raise ModelFileError(f"cannot load {str(path)!r}: {exc}") from exc
    if not isinstance(model, BaseEstimator):
        raise _refuse(path, "model.json does not hold an estimator", "re-save the model")
    schema = None
    if "schema.json" in members:
        try:
            schema = FeatureSchema.from_json(members["schema.json"])
        except ValueError as exc:
            raise _refuse(path, f"schema.json is invalid ({exc})", "re-save the model") from exc
    card: str | dict | None = None
    if "card.md" in members:
        try:
            card = members["card.md"].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _refuse(path, "card.md is not UTF-8 text", "re-save the model") from exc
    elif "card.json" in members:
        card = _parse_json(path, "card.json", members["card.json"], allow_nan=True)
    metadata = {}
    if "metadata.json" in members:
        metadata = _parse_json(path, "metadata.json", members["metadata.json"], allow_nan=True)
    return ModelFile(
        model=model,
        schema=schema,
        card=card,
        metadata=metadata if isinstance(metadata, dict) else {"value": metadata},
        lemma_version=manifest.get("lemma_version", ""),
        format_version=manifest["format_version"],
        created=manifest.get("created", ""),
    )


def load(path: str | os.PathLike) -> Any:
    """Load the estimator saved in a ``.lemma`` file, refusing anything unsafe.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    estimator
        Predicts exactly as the saved one did.

    Raises
    ------
    ModelFileError
        See :func:`load_file`; the message says what is wrong and what to do.

    Examples
    --------
    >>> import lemma
    >>> lemma.load("no/such/model.lemma")
    Traceback (most recent call last):
    lemma.exceptions.ModelFileError: cannot load 'no/such/model.lemma': the file does not exist...
    """
    return load_file(path).model
