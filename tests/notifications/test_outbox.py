"""The outbox: emails written with the change that causes them, big groups expanded by the worker, one-click
unsubscribe (RFC 8058), failed emails a site admin retries, and notifications grouped into bursts."""

import pytest
from sqlalchemy import func, select

from platform6.extensions import db
from platform6.forums import service
from platform6.forums.jobs import expand_group_fanouts
from platform6.forums.models import GroupFanout
from platform6.groups.models import Membership
from platform6.mail import outbox as mailbox
from platform6.notifications import outbox
from platform6.notifications.jobs import deliver_emails
from platform6.notifications.models import EmailContent, Notification, OutboxEmail
from platform6.notifications.service import notify


@pytest.fixture(autouse=True)
def _memory_mail(app):
    app.config.update(MAIL_BACKEND="memory", SITE_URL="http://localhost")


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_nothing_is_queued_for_a_rolled_back_change(app, create_user, create_group):
    admin, member = create_user(), create_user()
    group = create_group(admin=admin, members=[member])
    service.start_discussion(actor=admin, group=group, title="Never", description="")
    assert _count(OutboxEmail) == 1  # written with the thread, in its transaction
    db.session.rollback()
    assert _count(OutboxEmail) == 0 and _count(Notification, Notification.kind == "discussion_created") == 0
    deliver_emails()
    assert mailbox() == []


def test_a_big_group_costs_the_request_one_row_and_the_worker_tells_everyone(app, create_user, create_group):
    app.config["FANOUT_INLINE_MEMBERS"] = 2
    admin, loud, quiet, muted = create_user(), create_user(), create_user(), create_user()
    group = create_group(admin=admin, members=[loud, quiet, muted])
    for person, volume in ((quiet, "app"), (muted, "mute")):
        db.session.execute(
            db.update(Membership).where(Membership.user_id == person.id).values(volume=volume)
        )  # fmt: skip
    service.start_discussion(actor=admin, group=group, title="Big news", description="")
    db.session.commit()
    news = Notification.kind == "discussion_created"
    assert _count(GroupFanout) == 1 and _count(Notification, news) == 0 and _count(OutboxEmail) == 0
    expand_group_fanouts()
    db.session.commit()
    told = set(db.session.scalars(select(Notification.user_id).where(news)))
    assert told == {loud.id, quiet.id}  # not the actor, not who muted the group
    expand_group_fanouts()  # a second worker run (or a second worker) tells nobody twice
    db.session.commit()
    assert _count(Notification, news) == 2
    deliver_emails()
    assert [m["To"] for m in mailbox()] == [loud.email]


def test_every_email_carries_a_one_click_unsubscribe_that_needs_no_sign_in(app, client, create_user, create_group):
    admin, member = create_user(), create_user()
    group = create_group(admin=admin, members=[member])
    service.start_discussion(actor=admin, group=group, title="Hello", description="")
    db.session.commit()
    deliver_emails()
    (message,) = mailbox()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip().strip("<>")
    (row,) = db.session.scalars(select(OutboxEmail))
    assert message["Message-ID"] == outbox.message_id(row)  # derived from the outbox row: the same on a resend
    path = link.removeprefix("http://localhost")
    volume = select(Membership.volume).where(Membership.user_id == member.id, Membership.group_id == group.id)
    assert client.get(path).status_code == 200 and db.session.scalar(volume) == "email"  # a GET only asks
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})  # what a mail client sends, no cookie
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.scalar(volume) == "app"
    assert client.post(path[:-2] + "xx").status_code == 404  # a forged token does nothing


def test_a_refused_email_fails_visibly_and_a_site_admin_retries_it(app, client, login, create_user, create_group):
    app.config["MAIL_BACKEND"] = "none"  # the server refuses everything: switched off
    admin, member = create_user(), create_user()
    group = create_group(admin=admin, members=[member])
    service.start_discussion(actor=admin, group=group, title="Lost?", description="")
    db.session.commit()
    deliver_emails()
    assert _count(OutboxEmail, OutboxEmail.status == "failed") == 1
    site_admin = create_user()
    site_admin.is_site_admin = True
    db.session.commit()
    login(site_admin)
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert member.email in page and "mail is switched off" in page
    app.config["MAIL_BACKEND"] = "memory"
    assert client.post("/admin/outbox/retry").status_code == 302
    deliver_emails()
    assert [m["To"] for m in mailbox()] == [member.email]


def test_a_burst_of_one_kind_reads_as_one_line(app, client, login, create_user):
    alice = create_user()
    for n in range(5):
        notify(user_ids=[alice.id], kind="payment_received", url="/credit/accounts/1", text=f"Payment {n}")
    notify(user_ids=[alice.id], kind="mention", url="/d/1#comment-2", text="Bo mentioned you")
    db.session.commit()
    login(alice)
    page = client.get("/notifications").get_data(as_text=True)
    assert "5 payments received today" in page and "Bo mentioned you" in page


def test_a_group_email_is_stored_once_per_language_its_readers_have(app, create_user, create_group):
    admin, italian, english = create_user(), create_user(), create_user()
    group = create_group(admin=admin, members=[italian, english])
    italian.locale = "it"
    db.session.execute(Membership.__table__.update().where(Membership.group_id == group.id).values(volume="email"))
    service.start_discussion(actor=admin, group=group, title="Assemblea", description="")
    sent = db.session.execute(
        select(OutboxEmail.user_id, EmailContent.subject).join(EmailContent, EmailContent.id == OutboxEmail.content_id)
    ).all()
    assert _count(EmailContent) == 2  # English and Italian: no Spanish copy nobody reads
    subjects = dict(sent)
    assert "Assemblea" in subjects[italian.id] and subjects[italian.id] != subjects[english.id]


def test_a_group_email_nobody_gets_stores_nothing(app, create_user, create_group):
    admin, member = create_user(), create_user()
    group = create_group(admin=admin, members=[member])
    db.session.execute(Membership.__table__.update().values(volume="app"))
    service.start_discussion(actor=admin, group=group, title="Quiet", description="")
    assert _count(EmailContent) == 0 and _count(OutboxEmail) == 0
