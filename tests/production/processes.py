"""Real gunicorn app processes (gunicorn.conf.py) on 127.0.0.1, for the production tests and bench/bench_load.py.

server = AppProcess({"DATABASE_URL": url, "SECRET_KEY": key}, tmp_path / "app.log").start()
server.wait_healthy()
requests.get(f"{server.base}/healthz")
server.kill()   # kill -9 the whole process (gunicorn's arbiter and its worker), as a crash would
server.start()  # the same port again
server.stop()   # SIGTERM, then SIGKILL if it lingers
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AppProcess:
    """One `gunicorn -c gunicorn.conf.py app:app` in its own session, output appended to `log`."""

    def __init__(self, env: dict[str, str], log: Path, threads: int | None = 8, log_level: str = "warning"):
        """`threads`: gunicorn's THREADS (a test needs few); None keeps gunicorn.conf.py's production default."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.env = os.environ | {"LOG_LEVEL": log_level} | ({"THREADS": str(threads)} if threads else {}) | env
        self.env |= {"HOST": "127.0.0.1", "PORT": str(self.port)}
        self.process: subprocess.Popen | None = None

    def start(self) -> "AppProcess":
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null"]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [*command, "app:app"],
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so kill() reaches the worker too
            )
        return self

    def wait_healthy(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.process.returncode}: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.base} did not become healthy: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL the arbiter and its worker at once: no graceful shutdown, no response finished."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
