"""synth: literature-claims synthesis and verification."""

import logging as _logging

__version__ = "0.1.0"

# transformers imports torchao when it is installed; torchao's CPU wheels then warn about the CUDA-only
# kernels they cannot load, and torch warns about an Enum deprecation, on every start. Neither concerns
# us, and on a benchmark's stderr they hide the lines that do.
_logging.getLogger("torchao").setLevel(_logging.ERROR)
_logging.getLogger("torch.utils._pytree").setLevel(_logging.ERROR)
