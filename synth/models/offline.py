"""Nothing downloads weights at run time: the Hugging Face libraries are told so in one place.

Models come from PyPI packages and the registry (sha256-checked); a library that would otherwise look a
name up on the hub must fail on a missing file instead. Set with `setdefault`, so a user who really wants
the hub can still say so in the environment.
"""

from __future__ import annotations

import os

OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def stay_offline() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
