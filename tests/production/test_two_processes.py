"""Scale-out for real: two gunicorn app processes (gunicorn.conf.py) on PostgreSQL, Socket.IO events through Redis.

Needs the machine's PostgreSQL (DATABASE_URL) and Redis on 127.0.0.1:6379; skipped without them.
"""

import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
import requests
import socketio

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "redis://127.0.0.1:6379/0"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(base: str, process: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} did not become healthy")


@pytest.fixture
def two_processes(app, database_url, tmp_path):
    if not database_url.startswith("postgres"):
        pytest.skip("needs PostgreSQL (several processes share one database)")
    try:
        redis.Redis.from_url(QUEUE).ping()
    except redis.RedisError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    processes, bases, logs = [], [], []
    for _ in range(2):
        port = free_port()
        env = os.environ | {
            "DATABASE_URL": database_url,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "SOCKETIO_MESSAGE_QUEUE": QUEUE,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "THREADS": "8",
            "LOG_LEVEL": "warning",
        }
        command = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null"]
        log = tmp_path / f"gunicorn-{port}.log"
        logs.append(log)
        with log.open("wb") as output:
            processes.append(
                subprocess.Popen([*command, "app:app"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
            )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base, process, log in zip(bases, processes, logs, strict=True):
            wait_healthy(base, process, log)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_an_event_caused_on_process_b_reaches_a_socketio_client_on_process_a(
    two_processes, api, create_user, create_group
):
    a, b = two_processes
    for base in two_processes:
        assert requests.get(f"{base}/healthz", timeout=5).json() == {"status": "ok", "database": "ok"}
    admin, newcomer = create_user(), create_user()
    group = create_group(admin=admin, privacy="closed")
    received, arrived = [], threading.Event()
    client = socketio.Client()

    @client.on("notification")
    def on_notification(data):
        received.append(data)
        arrived.set()

    client.connect(a, transports=["websocket"], auth={"token": api.token(admin)}, wait_timeout=10)
    try:
        assert client.transport() == "websocket"
        asked = requests.post(
            f"{b}/api/v1/groups/{group.id}/join",
            json={"introduction": "hello"},
            headers={"Authorization": f"Bearer {api.token(newcomer)}"},
            timeout=10,
        )
        assert asked.status_code == 202, asked.text
        assert arrived.wait(timeout=10), "the notification emitted by process B never reached the client on A"
    finally:
        client.disconnect()
    assert received[0]["notification"]["kind"] == "join_request"
