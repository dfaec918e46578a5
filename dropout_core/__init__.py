"""Reference dropout in numpy: exact keep rate, correctly rounded kept values, both conventions.

``dropout_forward``/``dropout_backward`` are the functional form, ``Dropout`` the stateful layer;
``alpha_dropout_*`` and ``gaussian_dropout_*`` the family's other laws (``family``).
"""

from ._mask import keep_mask, keep_threshold
from ._rounding import exact_scaled
from .family import (
    ALPHA_PRIME,
    AlphaConstants,
    alpha_constants,
    alpha_dropout_backward,
    alpha_dropout_forward,
    gaussian_dropout_backward,
    gaussian_dropout_forward,
    gaussian_sigma,
)
from .functional import dropout_backward, dropout_forward
from .layer import Dropout

__all__ = [
    "ALPHA_PRIME",
    "AlphaConstants",
    "Dropout",
    "alpha_constants",
    "alpha_dropout_backward",
    "alpha_dropout_forward",
    "dropout_backward",
    "dropout_forward",
    "exact_scaled",
    "gaussian_dropout_backward",
    "gaussian_dropout_forward",
    "gaussian_sigma",
    "keep_mask",
    "keep_threshold",
]
__version__ = "0.1.0"
