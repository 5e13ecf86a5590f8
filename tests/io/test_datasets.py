"""Bundled datasets parse as their documentation says (counts from the data notes)."""

from __future__ import annotations

import pytest

from lemma.exceptions import ParameterError
from lemma.io.datasets import (
    DATASETS,
    load_adult,
    load_ames_housing,
    load_dataset,
    load_german_credit,
    load_longley,
)


def test_adult_counts_and_cleaning():
    train, test = load_adult("train"), load_adult("test")
    assert train.shape == (32561, 15) and test.shape == (16281, 15)
    # UCI's stated class counts; the test file's trailing period is gone.
    assert train["income"].value_counts().to_dict() == {"<=50K": 24720, ">50K": 7841}
    assert test["income"].value_counts().to_dict() == {"<=50K": 12435, ">50K": 3846}
    # '?' became NaN, only in these three columns.
    assert train.isna().sum()[lambda s: s > 0].to_dict() == {
        "workclass": 1836,
        "occupation": 1843,
        "native_country": 583,
    }
    assert test.isna().sum()[lambda s: s > 0].to_dict() == {
        "workclass": 963,
        "occupation": 966,
        "native_country": 274,
    }
    assert int(train.isna().any(axis=1).sum()) == 2399
    assert train["sex"].value_counts().to_dict() == {"Male": 21790, "Female": 10771}
    both = load_adult()
    assert both.shape == (48842, 16) and set(both["split"]) == {"train", "test"}
    assert both.attrs["target"] == "income" and both.attrs["positive_class"] == ">50K"


def test_german_credit_decoding():
    df = load_german_credit()
    assert df.shape == (1000, 23) and int(df.isna().sum().sum()) == 0
    assert df["credit_risk"].value_counts().to_dict() == {"good": 700, "bad": 300}
    # sex derived from attribute 9: A92 (310 rows) is the only female code present.
    assert df["sex"].value_counts().to_dict() == {"male": 690, "female": 310}
    assert df["foreign_worker"].value_counts().to_dict() == {"yes": 963, "no": 37}
    assert (
        not df.select_dtypes(exclude="number")
        .apply(lambda col: col.str.match(r"^A\d+$").any())
        .any()
    )
    assert df.attrs["sensitive"] == ["sex", "age_group"]


def test_ames_none_versus_missing():
    df = load_ames_housing()
    assert df.shape == (2930, 82)
    # "NA" means "none": a category, not missing.
    assert (df["alley"] == "None").sum() == 2732 and df["alley"].isna().sum() == 0
    assert (df["pool_qc"] == "None").sum() == 2917
    assert (df["mas_vnr_type"] == "None").sum() == 1752
    # empty fields are the truly missing values
    assert df["lot_frontage"].isna().sum() == 490
    assert df["garage_yr_blt"].isna().sum() == 159
    assert df["mas_vnr_type"].isna().sum() == 23
    assert df["pid"].str.len().eq(10).all() and df["ms_subclass"].iloc[0] == "020"
    assert df["saleprice"].min() == 12789 and df["saleprice"].max() == 755000


def test_registry_and_lookup():
    assert set(DATASETS) == {"adult", "german_credit", "ames_housing", "longley"}
    assert load_dataset("german-credit").shape == (1000, 23)
    assert load_longley().shape == (16, 7)
    with pytest.raises(ParameterError, match="available"):
        load_dataset("iris")
    with pytest.raises(ParameterError, match="split"):
        load_adult("validation")
