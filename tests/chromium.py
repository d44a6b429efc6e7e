"""Where the browser tests find Chromium, and how they start it (shared by test_browser and test_serve).

Debian's `chromium` (installed by `make`), never a downloaded build: `playwright install` is not run.
"""

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Headless, and nothing of Chromium's own that would reach the network (updates, sync, QUIC probes).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
