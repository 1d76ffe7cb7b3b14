"""A local SMTP server (aiosmtpd) in its own process, for the delivery tests and bench/bench_delivery.py.

sink = SMTPSink(tmp_path / "received.txt").start()   # MAIL_SERVER=127.0.0.1, MAIL_PORT=sink.port
sink.received()  # [(recipient, message_id), ...], one per accepted delivery, written before the 250
sink.stop()      # the server goes away (mail server down); start() again on the same port
"""

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.production.processes import ROOT, free_port


class SMTPSink:
    def __init__(self, log: Path, port: int | None = None):
        self.log = log
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> "SMTPSink":
        self.log.touch()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.production.smtp_sink", str(self.port), str(self.log)], cwd=ROOT
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as probe:
                    if probe.recv(100).startswith(b"220"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"the SMTP sink did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def received(self) -> list[tuple[str, str]]:
        return [tuple(line.split(" ", 1)) for line in self.log.read_text().splitlines() if " " in line]


class _Recorder:
    def __init__(self, log: Path):
        self.output = log.open("a", buffering=1)

    async def handle_DATA(self, server, session, envelope):
        found = re.search(rb"^Message-ID:\s*(\S+)", envelope.content, re.MULTILINE | re.IGNORECASE)
        message_id = found.group(1).decode() if found else "-"
        for recipient in envelope.rcpt_tos:
            self.output.write(f"{recipient} {message_id}\n")
        return "250 OK"


def _serve(port: int, log: Path) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(_Recorder(log), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    _serve(int(sys.argv[1]), Path(sys.argv[2]))
