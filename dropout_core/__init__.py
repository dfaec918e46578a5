"""Reference dropout in numpy: exact keep rate, correctly rounded kept values, both conventions.

``dropout_forward``/``dropout_backward`` are the functional form, ``Dropout`` the stateful layer.
"""

from ._mask import keep_mask, keep_threshold
from ._rounding import exact_scaled
from .functional import dropout_backward, dropout_forward
from .layer import Dropout

__all__ = ["Dropout", "dropout_backward", "dropout_forward", "exact_scaled", "keep_mask", "keep_threshold"]
__version__ = "0.1.0"
