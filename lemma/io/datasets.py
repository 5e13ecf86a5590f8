"""Datasets bundled with lemma, as pandas DataFrames with documented targets.

Each loader returns a DataFrame whose ``attrs`` record the target column, the task,
the positive class (classification), the sensitive columns a fairness audit should
look at, the source and the licence. :data:`DATASETS` lists them; ``lemma datasets``
prints it. Sources and licences: ``lemma/io/data/SOURCES.md``.

Examples
--------
>>> from lemma.io.datasets import load_adult
>>> adult = load_adult()
>>> adult.shape, adult.attrs["target"], adult.attrs["sensitive"]
((48842, 16), 'income', ['sex', 'race'])
>>> int(adult["workclass"].isna().sum())
2799
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from lemma.exceptions import ParameterError

__all__ = [
    "DATASETS",
    "DatasetInfo",
    "load_adult",
    "load_ames_housing",
    "load_dataset",
    "load_german_credit",
    "load_longley",
]


def _open(name: str) -> io.BytesIO:
    """The bundled file's bytes (decompressed if gzipped), as an in-memory file."""
    data = (resources.files("lemma.io") / "data" / name).read_bytes()
    return io.BytesIO(gzip.decompress(data) if name.endswith(".gz") else data)


def _tag(df: pd.DataFrame, info: DatasetInfo) -> pd.DataFrame:
    df.attrs.update(
        name=info.name,
        target=info.target,
        task=info.task,
        sensitive=list(info.sensitive),
        positive_class=info.positive_class,
        source=info.source,
        license=info.license,
    )
    return df


# ---------------------------------------------------------------------- Longley
def load_longley() -> pd.DataFrame:
    """Longley's macroeconomic data (1947-1962), the classic ill-conditioned regression.

    Target ``employed`` (total employment); six predictors (GNP deflator, GNP,
    unemployed, armed forces, population, year), highly collinear. NIST StRD
    certifies the least-squares coefficients to 15 digits.

    Returns
    -------
    DataFrame of shape (16, 7)
    """
    with _open("longley.csv") as f:
        return _tag(pd.read_csv(f, dtype="float64"), DATASETS["longley"])


# ---------------------------------------------------------------------- Adult
_ADULT_COLUMNS = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education_num",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
    "native_country",
    "income",
]


def load_adult(split: str = "all") -> pd.DataFrame:
    """UCI Adult (1994 US census): does a person earn more than $50K a year?

    Parameters
    ----------
    split : {"all", "train", "test"}, default="all"
        UCI's train (32,561 rows) and test (16,281 rows) files, or both with a
        ``split`` column saying which.

    Returns
    -------
    DataFrame
        15 UCI columns (hyphens in names become underscores) plus ``split`` for
        "all". Target ``income`` (``">50K"`` positive, ``"<=50K"``; the trailing
        period on the test file's labels is removed). Missing values, written ``?``
        in the files, are NaN (``workclass``, ``occupation``, ``native_country``).
        Sensitive columns: ``sex`` and ``race``. ``fnlwgt`` is a census sampling
        weight, not a property of the person.
    """
    if split not in ("all", "train", "test"):
        raise ParameterError(f"split must be 'all', 'train' or 'test'; got {split!r}.")
    parts = []
    for name, file, skip in (("train", "adult.data.gz", 0), ("test", "adult.test.gz", 1)):
        if split not in ("all", name):
            continue
        with _open(file) as f:
            part = pd.read_csv(
                f,
                header=None,
                names=_ADULT_COLUMNS,
                skipinitialspace=True,
                na_values="?",
                skiprows=skip,
            )
        part = part.dropna(how="all")
        part["income"] = part["income"].str.rstrip(".")
        if split == "all":
            part["split"] = name
        parts.append(part)
    df = pd.concat(parts, ignore_index=True)
    for col in ("age", "fnlwgt", "education_num", "capital_gain", "capital_loss", "hours_per_week"):
        df[col] = df[col].astype("int64")
    return _tag(df, DATASETS["adult"])


# ---------------------------------------------------------------------- German credit
_GERMAN_COLUMNS = [
    "checking_status",
    "duration_months",
    "credit_history",
    "purpose",
    "credit_amount",
    "savings",
    "employment_since",
    "installment_rate",
    "personal_status_sex",
    "other_debtors",
    "residence_since",
    "property",
    "age",
    "other_installment_plans",
    "housing",
    "existing_credits",
    "job",
    "people_liable",
    "telephone",
    "foreign_worker",
    "credit_risk",
]
#: Codes of german.doc (UCI) decoded to readable labels.
_GERMAN_CODES = {
    "A11": "< 0 DM",
    "A12": "0-200 DM",
    "A13": ">= 200 DM or salary assigned",
    "A14": "no checking account",
    "A30": "no credits / all paid",
    "A31": "all paid at this bank",
    "A32": "existing paid duly",
    "A33": "delayed in the past",
    "A34": "critical / credits elsewhere",
    "A40": "car (new)",
    "A41": "car (used)",
    "A42": "furniture/equipment",
    "A43": "radio/television",
    "A44": "domestic appliances",
    "A45": "repairs",
    "A46": "education",
    "A47": "vacation",
    "A48": "retraining",
    "A49": "business",
    "A410": "others",
    "A61": "< 100 DM",
    "A62": "100-500 DM",
    "A63": "500-1000 DM",
    "A64": ">= 1000 DM",
    "A65": "unknown / none",
    "A71": "unemployed",
    "A72": "< 1 year",
    "A73": "1-4 years",
    "A74": "4-7 years",
    "A75": ">= 7 years",
    "A91": "male: divorced/separated",
    "A92": "female: divorced/separated/married",
    "A93": "male: single",
    "A94": "male: married/widowed",
    "A95": "female: single",
    "A101": "none",
    "A102": "co-applicant",
    "A103": "guarantor",
    "A121": "real estate",
    "A122": "savings agreement / life insurance",
    "A123": "car or other",
    "A124": "unknown / none",
    "A141": "bank",
    "A142": "stores",
    "A143": "none",
    "A151": "rent",
    "A152": "own",
    "A153": "for free",
    "A171": "unemployed / unskilled non-resident",
    "A172": "unskilled resident",
    "A173": "skilled employee",
    "A174": "management / highly qualified",
    "A191": "none",
    "A192": "yes",
    "A201": "yes",
    "A202": "no",
}


def load_german_credit() -> pd.DataFrame:
    """UCI Statlog German credit (Hofmann 1994): is an applicant a good credit risk?

    Returns
    -------
    DataFrame of shape (1000, 23)
        The 20 attributes of ``german.doc`` with codes (``A11``, ...) decoded to
        readable labels, the target ``credit_risk`` (``"good"`` 700 / ``"bad"`` 300;
        ``"bad"`` is the positive class: the event a lender wants to predict; ``"good"``
        is the favourable outcome a fairness audit compares across groups), and
        two derived columns: ``sex`` (from attribute 9, personal status and sex) and
        ``age_group`` (``"<= 25"`` / ``"> 25"``, the split used by Kamiran & Calders
        2012). Sensitive columns: ``sex`` and ``age_group``. german.doc prescribes a
        cost matrix: calling a bad risk good costs 5, a good risk bad costs 1.
    """
    with _open("german.data.gz") as f:
        df = pd.read_csv(f, sep=" ", header=None, names=_GERMAN_COLUMNS)
    codes = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    df["sex"] = np.where(df["personal_status_sex"].isin(["A92", "A95"]), "female", "male")
    for col in codes:
        df[col] = df[col].map(_GERMAN_CODES)
    df["credit_risk"] = df["credit_risk"].map({1: "good", 2: "bad"})
    df["age_group"] = np.where(df["age"] <= 25, "<= 25", "> 25")
    return _tag(df, DATASETS["german_credit"])


# ---------------------------------------------------------------------- Ames
def _snake(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("/", "_")


def load_ames_housing() -> pd.DataFrame:
    """Ames, Iowa residential sales 2006-2010 (De Cock 2011): predict the sale price.

    Returns
    -------
    DataFrame of shape (2930, 82)
        Column names in snake_case (``"Gr Liv Area"`` → ``gr_liv_area``). Target
        ``saleprice`` (US$; its logarithm is the usual modelling target). The file
        writes ``NA`` for "this house has none" (no alley, no pool, ...) and leaves
        a field empty when the value is truly unknown: lemma keeps ``NA`` as the
        category ``"None"`` (the label ``mas_vnr_type`` already uses) and makes only
        empty fields NaN (``lot_frontage`` 490, ``garage_yr_blt`` 159, ...).
        ``pid`` (parcel id, leading zeros) and ``ms_subclass`` (a code such as
        ``"020"``) are strings; ``order`` is a row number. The author recommends
        dropping the five houses with ``gr_liv_area`` > 4000 sq ft for teaching.
        No sensitive columns (properties, not people).
    """
    with _open("AmesHousing.txt.gz") as f:
        df = pd.read_csv(
            f,
            sep="\t",
            keep_default_na=False,
            na_values=[""],
            dtype={"PID": str, "MS SubClass": str},
        )
    df.columns = [_snake(c) for c in df.columns]
    for col in df.columns:
        if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
            df[col] = df[col].str.strip().replace("NA", "None")
    return _tag(df, DATASETS["ames_housing"])


# ---------------------------------------------------------------------- the table
@dataclass(frozen=True)
class DatasetInfo:
    """What a bundled dataset is for."""

    name: str
    loader: Callable[[], pd.DataFrame]
    target: str
    task: str
    description: str
    rows: int
    sensitive: tuple[str, ...] = ()
    positive_class: str | None = None
    source: str = ""
    license: str = ""
    #: The outcome a person wants (fairness audits compare its rate across groups).
    favourable_class: str | None = None


DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in (
        DatasetInfo(
            "adult",
            load_adult,
            "income",
            "classification",
            "1994 US census: income above $50K",
            48842,
            ("sex", "race"),
            ">50K",
            "UCI Machine Learning Repository, Becker & Kohavi (1996), doi:10.24432/C5XW20",
            "CC BY 4.0",
            favourable_class=">50K",
        ),
        DatasetInfo(
            "german_credit",
            load_german_credit,
            "credit_risk",
            "classification",
            "German credit applicants: good or bad risk",
            1000,
            ("sex", "age_group"),
            "bad",
            "UCI Machine Learning Repository, Hofmann (1994), doi:10.24432/C5NC77",
            "CC BY 4.0",
            favourable_class="good",
        ),
        DatasetInfo(
            "ames_housing",
            load_ames_housing,
            "saleprice",
            "regression",
            "Ames, Iowa house sales 2006-2010: sale price",
            2930,
            (),
            None,
            "De Cock (2011), Journal of Statistics Education 19(3)",
            "JSE data policy: free for teaching; ask the author before publishing",
        ),
        DatasetInfo(
            "longley",
            load_longley,
            "employed",
            "regression",
            "US macroeconomic series 1947-1962 (ill-conditioned)",
            16,
            (),
            None,
            "NIST StRD, Longley (1967)",
            "public domain (US Government work)",
        ),
    )
}


def load_dataset(name: str) -> pd.DataFrame:
    """Load a bundled dataset by name (see :data:`DATASETS`)."""
    key = name.lower().replace("-", "_")
    if key not in DATASETS:
        raise ParameterError(f"No bundled dataset named {name!r}; available: {sorted(DATASETS)}.")
    return DATASETS[key].loader()
