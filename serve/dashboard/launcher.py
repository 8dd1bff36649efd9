"""Start the dashboard: `uv run --frozen pipeline dashboard [--port 8501] [--address 127.0.0.1] [--serving-dir DIR]`.

Streamlit replaces this process (``exec``), so Ctrl-C and SIGTERM reach it directly and nothing is left behind.
It listens on this machine only unless given another address (docker-compose passes 0.0.0.0 inside the container).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"
DEFAULT_PORT = 8501
DEFAULT_ADDRESS = "127.0.0.1"


def command(port: int = DEFAULT_PORT, address: str = DEFAULT_ADDRESS) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port), "--server.address",
            address, "--server.headless", "true", "--browser.gatherUsageStats", "false",
            # A deployment, not a development session: no file watcher, no "rerun on save" prompt.
            "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer", "--theme.primaryColor", "#2f6fb0"]


def environment(serving_dir: Path | None = None) -> dict[str, str]:
    """This environment, with PIPELINE_SERVING_DIR when a serving folder is given (the app reads the settings)."""
    env = dict(os.environ)
    if serving_dir is not None:
        env["PIPELINE_SERVING_DIR"] = str(serving_dir.resolve())
    return env


def main(port: int = DEFAULT_PORT, serving_dir: Path | None = None, address: str = DEFAULT_ADDRESS) -> None:
    """Run the dashboard in the foreground until it is stopped (never returns)."""
    argv = command(port, address)
    os.execve(argv[0], argv, environment(serving_dir))
