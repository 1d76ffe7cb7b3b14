"""Scale-out for real: two gunicorn app processes (gunicorn.conf.py) on PostgreSQL, Socket.IO events through Redis.

Needs the machine's PostgreSQL (DATABASE_URL) and Redis on 127.0.0.1:6379; skipped without them.
"""

import threading

import pytest
import redis
import requests
import socketio

from tests.production.processes import AppProcess

QUEUE = "redis://127.0.0.1:6379/0"


@pytest.fixture
def two_processes(app, database_url, tmp_path):
    if not database_url.startswith("postgres"):
        pytest.skip("needs PostgreSQL (several processes share one database)")
    try:
        redis.Redis.from_url(QUEUE).ping()
    except redis.RedisError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    env = {"DATABASE_URL": database_url, "SECRET_KEY": app.config["SECRET_KEY"], "SOCKETIO_MESSAGE_QUEUE": QUEUE}
    servers = [AppProcess(env, tmp_path / f"gunicorn-{n}.log").start() for n in range(2)]
    try:
        for server in servers:
            server.wait_healthy()
        yield [server.base for server in servers]
    finally:
        for server in servers:
            server.stop()


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
