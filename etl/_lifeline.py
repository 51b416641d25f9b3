"""A load's helper processes end when the load does, even when the load is killed (SIGKILL cannot be caught).

Python's fork server and the pool's parse workers otherwise outlive a killed load, holding about 600 MB between
them (tests/test_etl_concurrency.py kills a load halfway and checks that nothing of it is left). `hold()` starts
a daemon thread that ends this process as soon as its parent has gone: when the parent dies, the process is
given a new parent, and os.getppid() changes. The fork server calls it on importing etl._forkserver (its
preload), so it ends with the load; each worker calls it when it starts, so it ends with the fork server.
"""

from __future__ import annotations

import os
import threading
import time

INTERVAL_SECONDS = 0.5


def hold() -> None:
    """End this process (exit status 1) within INTERVAL_SECONDS of its parent's end."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(INTERVAL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="gridgov-lifeline", daemon=True).start()
