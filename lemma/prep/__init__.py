"""Data preparation: imputers, scalers, encoders, power and quantile transforms, row filters.

Every step is a transformer fitted on training data only (inside the folds, when it
sits in a :class:`lemma.pipeline.Pipeline`): imputers fill missing values, scalers
centre and scale, encoders turn categories into numbers, transforms reshape
distributions, and row filters (:class:`DropDuplicates`, :class:`OutlierRemover`)
remove training rows while fitting and leave every row in place at predict time.
Output is dense (NumPy arrays, or DataFrames for DataFrame input); sparse input is
refused with a message saying how to densify it.

Missing values (NaN) are ignored when fitting the scalers and transforms and pass
through them; a column that is entirely missing comes out entirely missing. The
imputers drop such a column (with a warning naming it) and PowerTransformer refuses
it, since they need a statistic of it. Encoders treat a missing value as a category.

Examples
--------
>>> import numpy as np
>>> from lemma.prep import SimpleImputer
>>> SimpleImputer().fit_transform(np.array([[1.0], [np.nan], [3.0]])).ravel()
array([1., 2., 3.])
"""

from lemma.prep.auto import Decision, Preparation, auto_prepare
from lemma.prep.encode import OneHotEncoder, OrdinalEncoder
from lemma.prep.impute import SimpleImputer
from lemma.prep.iterative import IterativeImputer
from lemma.prep.leakage import LeakageReport, check_leakage
from lemma.prep.profiling import DataProfile, profile
from lemma.prep.rows import DropDuplicates, OutlierRemover
from lemma.prep.scale import MinMaxScaler, RobustScaler, StandardScaler
from lemma.prep.target_encoder import TargetEncoder
from lemma.prep.transform import (
    LogTransformer,
    OutlierClipper,
    PowerTransformer,
    QuantileTransformer,
)

__all__ = [
    "DataProfile",
    "Decision",
    "DropDuplicates",
    "IterativeImputer",
    "LeakageReport",
    "LogTransformer",
    "MinMaxScaler",
    "OneHotEncoder",
    "OrdinalEncoder",
    "OutlierClipper",
    "OutlierRemover",
    "PowerTransformer",
    "Preparation",
    "QuantileTransformer",
    "RobustScaler",
    "SimpleImputer",
    "StandardScaler",
    "TargetEncoder",
    "auto_prepare",
    "check_leakage",
    "profile",
]
