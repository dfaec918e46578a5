"""One module per property; ``ALL_CHECKS`` is the battery in the order it runs and is reported."""

from .backward_mask import BackwardMask
from .base import Check
from .contract import Contract
from .edge_rates import EdgeRates
from .independence_calls import IndependenceCalls
from .independence_elements import IndependenceElements
from .independence_samples import IndependenceSamples
from .inference import Inference
from .invalid_rate import InvalidRate
from .kept_values import KeptValues
from .mask_rate import MaskRate
from .mask_structure import MaskStructure
from .nan_policy import NanPolicy
from .noise_law import NoiseLaw
from .seed_reproducibility import SeedReproducibility
from .unbiased import Unbiased

ALL_CHECKS: list[Check] = [
    MaskRate(), KeptValues(), Unbiased(), NoiseLaw(), Inference(), BackwardMask(), MaskStructure(),
    IndependenceElements(), IndependenceSamples(), IndependenceCalls(), SeedReproducibility(), EdgeRates(), Contract(),
    InvalidRate(), NanPolicy(),
]

__all__ = ["ALL_CHECKS", "Check"]
