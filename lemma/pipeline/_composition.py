"""Shared pieces of the composite estimators: named items, tags, repr, availability.

:class:`Composition` gives ``Pipeline`` and ``ColumnTransformer`` their parameters:
each named item is a parameter (``pipe.set_params(scale=StandardScaler())``) and
its parameters are ``<name>__<param>``, the convention ``GridSearchCV`` relies on.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MethodType
from typing import Any

from lemma.base import BaseEstimator, Tags, clone
from lemma.exceptions import ParameterError

__all__ = [
    "Bunch",
    "Composition",
    "available_if",
    "check_names",
    "clone_step",
    "default_names",
    "format_items",
    "is_passthrough",
    "is_row_filter",
    "tags_of",
]


class Bunch(dict):
    """A dict whose keys are also attributes (``pipe.named_steps.scale``)."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __dir__(self) -> list[str]:
        return list(self.keys())


def is_passthrough(estimator: Any) -> bool:
    """True for the identity placeholders ``"passthrough"`` and ``None``."""
    return estimator is None or (isinstance(estimator, str) and estimator == "passthrough")


def is_row_filter(estimator: Any) -> bool:
    """True for steps that remove rows while fitting (they have ``fit_resample``)."""
    return hasattr(estimator, "fit_resample")


def clone_step(estimator: Any) -> Any:
    """Clone with the estimator's own cloning when it has one (scikit-learn keeps set_output)."""
    if not hasattr(estimator, "__lemma_tags__") and hasattr(estimator, "__sklearn_clone__"):
        return estimator.__sklearn_clone__()
    return clone(estimator)


def tags_of(estimator: Any) -> Tags:
    """lemma :class:`~lemma.base.Tags` of a lemma or scikit-learn estimator."""
    if hasattr(estimator, "__lemma_tags__"):
        return estimator.__lemma_tags__()
    try:
        from sklearn.utils import get_tags

        sk = get_tags(estimator)
    except Exception:
        return Tags()
    tags = Tags(
        estimator_type=sk.estimator_type,
        requires_fit=sk.requires_fit,
        requires_y=sk.target_tags.required,
        positive_y=sk.target_tags.positive_only,
        multi_output=sk.target_tags.multi_output,
        allow_nan=sk.input_tags.allow_nan,
        string_input=sk.input_tags.string or sk.input_tags.categorical,
        positive_X=sk.input_tags.positive_only,
        non_deterministic=sk.non_deterministic,
        pairwise=sk.input_tags.pairwise,
    )
    if sk.classifier_tags is not None:
        tags.poor_score = sk.classifier_tags.poor_score
        tags.multi_class = sk.classifier_tags.multi_class
    if sk.regressor_tags is not None:
        tags.poor_score = sk.regressor_tags.poor_score
    if sk.transformer_tags is not None:
        tags.preserves_dtype = list(sk.transformer_tags.preserves_dtype)
    return tags


def format_items(owner: str, param: str, items: list[Any], extra: list[str]) -> str:
    """``Owner(param=[item, ...], extra...)`` on one line, or one item (and extra) per line."""
    texts = [repr(item) for item in items]
    tail = "".join(f", {e}" for e in extra)
    head = f"{owner}({param}=["
    line = head + ", ".join(texts) + "]" + tail + ")"
    if len(line) <= 88 and "\n" not in line:
        return line
    indent = " " * len(head)
    body = (",\n" + indent).join(t.replace("\n", "\n" + indent) for t in texts)
    tail = "".join(f",\n{' ' * (len(owner) + 1)}{e}" for e in extra)
    return head + body + "]" + tail + ")"


def check_names(names: list[Any], owner: str, reserved: list[str]) -> None:
    """Step names must be unique strings without '__' that are not constructor parameters."""
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        raise ParameterError(f"{owner} names must be strings; got {bad!r}.")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ParameterError(
            f"{owner} names must be unique; {duplicates!r} appear more than once. Rename the "
            "steps (make_pipeline numbers repeated class names for you)."
        )
    clashes = sorted(set(names) & set(reserved))
    if clashes:
        raise ParameterError(
            f"{owner} names {clashes!r} clash with constructor parameters {sorted(reserved)!r}; "
            "choose other names."
        )
    with_sep = [n for n in names if "__" in n]
    if with_sep:
        raise ParameterError(
            f"{owner} names must not contain '__' (it separates step and parameter in "
            f"set_params); got {with_sep!r}."
        )


class available_if:
    """Expose a method only when ``check(self)`` is true (else ``AttributeError``).

    ``hasattr(pipe, "predict_proba")`` is then true exactly when the final step can
    predict probabilities, as scikit-learn's meta-estimators behave.
    """

    def __init__(self, check: Callable[[Any], bool]):
        self.check = check

    def __call__(self, function: Callable) -> available_if:
        self.function = function
        self.__doc__ = function.__doc__
        self.__name__ = function.__name__
        self.__module__ = function.__module__
        self.__wrapped__ = function
        return self

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self.function
        if not self.check(obj):
            raise AttributeError(
                f"This {type(obj).__name__!r} has no attribute {self.__name__!r}: its final step "
                f"does not provide it."
            )
        return MethodType(self.function, obj)


# --------------------------------------------------------------------- composition base
class Composition(BaseEstimator):
    """Parameters of a list of named estimators (``steps`` or ``transformers``).

    ``get_params(deep=True)`` adds each item by name and its parameters as
    ``<name>__<param>``; ``set_params(<name>=estimator)`` replaces an item.
    """

    _items_attr = "steps"

    def _named_items(self) -> list[tuple[Any, Any]]:
        try:
            return [(item[0], item[1]) for item in getattr(self, self._items_attr)]
        except (TypeError, IndexError, KeyError):
            return []

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters; with ``deep`` also every item by name and its ``<name>__<param>``."""
        out = super().get_params(deep=deep)
        if not deep:
            return out
        for name, estimator in self._named_items():
            out[name] = estimator
            if hasattr(estimator, "get_params") and not isinstance(estimator, type):
                for key, value in estimator.get_params(deep=True).items():
                    out[f"{name}__{key}"] = value
        return out

    def set_params(self, **params: Any) -> Composition:
        """Set parameters; ``<name>=estimator`` replaces an item, ``<name>__<p>`` reaches it."""
        if self._items_attr in params:
            setattr(self, self._items_attr, params.pop(self._items_attr))
        names = [name for name, _ in self._named_items()]
        for key in [k for k in params if "__" not in k and k in names]:
            self._replace_item(key, params.pop(key))
        super().set_params(**params)
        return self

    def _replace_item(self, name: str, estimator: Any) -> None:
        items = list(getattr(self, self._items_attr))
        for i, item in enumerate(items):
            if item[0] == name:
                items[i] = (name, estimator, *item[2:])
        setattr(self, self._items_attr, items)


def default_names(estimators: tuple[Any, ...]) -> list[str]:
    """Lowercase class names, numbered ``-1, -2, ...`` where a name repeats."""
    names = [est if isinstance(est, str) else type(est).__name__.lower() for est in estimators]
    counts = {name: names.count(name) for name in names}
    seen: dict[str, int] = {}
    out = []
    for name in names:
        if counts[name] > 1:
            seen[name] = seen.get(name, 0) + 1
            out.append(f"{name}-{seen[name]}")
        else:
            out.append(name)
    return out
