"""Statistical inference for fitted models: results objects and their summaries."""

from lemma.stats.inference.glm import GLMResults, Separation, detect_separation
from lemma.stats.inference.ols import COV_TYPES, OLSResults, residual_diagnostics, robust_covariance
from lemma.stats.inference.summary import Summary, format_number

__all__ = [
    "COV_TYPES",
    "GLMResults",
    "OLSResults",
    "Separation",
    "Summary",
    "detect_separation",
    "format_number",
    "residual_diagnostics",
    "robust_covariance",
]
