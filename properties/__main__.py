"""``python -m dropout_verify.properties TARGET``: the same as ``dropout-verify``."""

import sys

from .cli import main

sys.exit(main())
