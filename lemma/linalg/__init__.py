"""Numerical linear algebra for statistics: stable least squares and conditioning.

* :func:`lstsq` — least squares by Householder QR with column scaling (default),
  SVD or Cholesky; rank detection naming collinear columns; extended-precision
  refinement on ill-conditioned designs.
* :func:`condition_number`, :func:`weighted_gram` — diagnostics and sums of squares.
"""

from lemma.linalg.conditioning import condition_number, weighted_gram
from lemma.linalg.extended import extended_precision_digits, householder_qr
from lemma.linalg.lstsq import LstsqResult, lstsq

__all__ = [
    "LstsqResult",
    "condition_number",
    "extended_precision_digits",
    "householder_qr",
    "lstsq",
    "weighted_gram",
]
