"""Support vector machines: linear (dual coordinate descent or L-BFGS) and kernel
(SMO on the dual, with Platt-scaled probabilities) — each file opens with its
mathematics."""

from lemma.models.svm.linear_svc import LinearSVC
from lemma.models.svm.svc import SVC

__all__ = ["SVC", "LinearSVC"]
