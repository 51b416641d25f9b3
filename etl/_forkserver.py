"""What the parse workers' fork server imports when it starts (etl.parallel sets it as its preload), and only it.

The fork server ends when the load that started it does (etl._lifeline), and it imports the parsing code once,
so that each worker it forks starts with it loaded.
"""

from __future__ import annotations

from etl import _lifeline

_lifeline.hold()

import etl.parallel  # noqa: E402,F401  (loaded here, before any worker is forked)
