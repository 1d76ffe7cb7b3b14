"""Email by volume, through a real SMTP conversation with a local debugging server, and the daily digest."""

import socketserver
import threading
from datetime import timedelta
from email import message_from_bytes

import pytest

from platform6.extensions import db
from platform6.forums import jobs, service
from platform6.forums.models import DigestState
from platform6.groups.models import Membership
from platform6.mail import send_email


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept messages (what `python -m smtpd -n` did), storing them on the server."""

    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self):
        self.reply("220 localhost debugging server")
        sender, recipients = None, []
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 localhost")
            elif verb == "MAIL":
                sender = command
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip("<> "))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                self.server.messages.append((recipients, message_from_bytes(b"".join(data))))
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK")
        del sender


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_send_email_speaks_smtp_to_the_configured_server(app, smtp_server):
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.server_address[1])
    assert send_email(to="bob@example.org", subject="Hello", text="Plain words", html="<p>Rich words</p>")
    recipients, message = smtp_server.messages[0]
    assert recipients == ["bob@example.org"] and message["Subject"] == "Hello"
    assert "Plain words" in message.get_payload()[0].get_payload()


def test_an_unreachable_server_does_not_raise(app):
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=1)
    assert send_email(to="x@example.org", subject="s", text="t") is False


def _set_volume(user, group, volume):
    db.session.execute(
        db.update(Membership)
        .where(Membership.user_id == user.id, Membership.group_id == group.id)
        .values(volume=volume)
    )
    db.session.commit()


def test_mentions_are_emailed_only_at_email_volume(
    app, mailbox, run_worker, create_user, create_group, create_discussion
):
    alice, loud, quiet = create_user(), create_user(handle="loud"), create_user(handle="quiet")
    group = create_group(admin=alice, members=[loud, quiet])
    _set_volume(quiet, group, "app")
    discussion = create_discussion(group=group, author=alice)
    run_worker()
    mailbox.clear()
    service.post_comment(actor=alice, discussion=discussion, body="@loud @quiet see this")
    db.session.commit()
    assert mailbox == []  # nothing from the request: the worker sends
    run_worker()
    assert [m["To"] for m in mailbox] == [loud.email]
    assert "mentioned you" in mailbox[0]["Subject"] and f"/d/{discussion.id}" in mailbox[0].get_content()


def test_the_daily_digest_goes_once_per_day_to_digest_readers(
    app, mailbox, run_worker, create_user, create_group, create_discussion, post_comment
):
    alice, reader = create_user(), create_user()
    group = create_group(admin=alice, members=[reader])
    _set_volume(reader, group, "digest")
    discussion = create_discussion(group=group, author=alice, title="Garden rota")
    post_comment(discussion, alice, "who waters on Sunday?")
    run_worker()
    mailbox.clear()
    jobs.send_daily_digests()
    db.session.commit()
    run_worker()
    assert [m["To"] for m in mailbox] == [reader.email]
    assert "Garden rota: 1 new" in mailbox[0].get_content()
    jobs.send_daily_digests()
    db.session.commit()
    run_worker()
    assert len(mailbox) == 1  # claimed for today: a second run (or a second worker) sends nothing
    state = db.session.get(DigestState, reader.id)
    state.sent_until -= timedelta(days=1, seconds=1)  # a day later...
    discussion.last_activity_at -= timedelta(days=3)  # ...with nothing new since the last digest
    db.session.commit()
    jobs.send_daily_digests()
    db.session.commit()
    assert len(mailbox) == 1  # due again, but nothing new happened: no empty digest
