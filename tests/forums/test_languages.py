"""Issue 15: news is written in each recipient's language and reaches them on their own morning."""

from datetime import datetime, timedelta

from sqlalchemy import select

from platform6.extensions import db
from platform6.forums import jobs, service
from platform6.forums.models import DigestState
from platform6.groups.models import Membership
from platform6.notifications.models import Notification


def _speaks(user, locale, zone="UTC"):
    user.locale, user.time_zone = locale, zone
    db.session.commit()
    return user


def _volume(user, group, volume):
    db.session.execute(
        db.update(Membership)
        .where(Membership.user_id == user.id, Membership.group_id == group.id)
        .values(volume=volume)
    )
    db.session.commit()


def _texts(discussion_url):
    rows = db.session.execute(select(Notification.user_id, Notification.text).where(Notification.url == discussion_url))
    return dict(rows.all())


def test_a_mention_reads_in_each_recipients_language_not_the_actors(create_user, create_group, create_discussion):
    alice = _speaks(create_user(name="Alice"), "en")
    giulia = _speaks(create_user(name="Giulia", handle="giulia"), "it")
    ben = _speaks(create_user(name="Ben", handle="ben"), "en")
    group = create_group(admin=alice, members=[giulia, ben])
    discussion = create_discussion(group=group, author=alice, title="Orto")
    service.post_comment(actor=alice, discussion=discussion, body="@giulia @ben guardate")
    db.session.commit()
    texts = _texts(f"/d/{discussion.id}#comment-{discussion.last_position}") or {
        n.user_id: n.text for n in db.session.scalars(select(Notification).where(Notification.kind == "mention"))
    }
    assert texts[giulia.id] == "Alice ti ha menzionato in «Orto»"
    assert texts[ben.id] == "Alice mentioned you in “Orto”"


def test_group_news_by_email_comes_in_each_members_language(
    app, mailbox, run_worker, create_user, create_group, create_discussion
):
    alice = create_user(name="Alice")
    giulia, ben = _speaks(create_user(name="Giulia"), "it"), create_user(name="Ben")
    group = create_group(admin=alice, members=[giulia, ben], name="Orti urbani")
    for member in (giulia, ben):
        _volume(member, group, "email")
    create_discussion(group=group, author=alice, title="Semina")
    run_worker()
    by_address = {m["To"]: m for m in mailbox}
    assert by_address[giulia.email]["Subject"] == "[Orti urbani] Alice ha avviato «Semina» in Orti urbani"
    assert "Aprilo:" in by_address[giulia.email].get_content()
    assert by_address[ben.email]["Subject"] == "[Orti urbani] Alice started “Semina” in Orti urbani"


def test_a_big_groups_news_expanded_by_the_worker_is_still_in_each_language(
    app, run_worker, create_user, create_group, create_discussion
):
    app.config["FANOUT_INLINE_MEMBERS"] = 1
    alice, giulia, ben = create_user(name="Alice"), _speaks(create_user(name="Giulia"), "it"), create_user(name="Ben")
    group = create_group(admin=alice, members=[giulia, ben])
    discussion = create_discussion(group=group, author=alice, title="Semina")
    news = select(Notification).where(Notification.url == f"/d/{discussion.id}")
    assert db.session.scalars(news).all() == []  # the worker tells them
    run_worker()
    texts = {
        n.user_id: n.text
        for n in db.session.scalars(select(Notification).where(Notification.url == f"/d/{discussion.id}"))
    }
    assert texts == {
        giulia.id: "Alice ha avviato «Semina» in " + group.name,
        ben.id: f"Alice started “Semina” in {group.name}",
    }


def test_the_next_digest_is_due_on_the_readers_own_morning():
    evening_utc = datetime(2026, 12, 4, 22, 30)
    assert jobs.next_morning(evening_utc, "Europe/Rome") == datetime(2026, 12, 5, 6, 0)  # 07:00 in Rome, winter
    assert jobs.next_morning(evening_utc, "America/Sao_Paulo") == datetime(2026, 12, 5, 10, 0)
    # 22:30 UTC is already the 5th in Auckland (UTC+13 in December): its next morning is the 6th
    assert jobs.next_morning(evening_utc, "Pacific/Auckland") == datetime(2026, 12, 5, 18, 0)
    summer = datetime(2026, 7, 1, 12, 0)
    assert jobs.next_morning(summer, "Europe/Rome") == datetime(2026, 7, 2, 5, 0)  # summer time: UTC+2


def test_a_digest_is_not_sent_again_before_the_readers_next_morning(
    app, mailbox, run_worker, create_user, create_group, create_discussion, post_comment
):
    alice, reader = create_user(), _speaks(create_user(), "it", "Europe/Rome")
    group = create_group(admin=alice, members=[reader])
    _volume(reader, group, "digest")
    discussion = create_discussion(group=group, author=alice, title="Semina")
    run_worker()
    mailbox.clear()
    jobs.send_daily_digests()
    db.session.commit()
    run_worker()
    assert len(mailbox) == 1 and "Riepilogo quotidiano" in mailbox[0]["Subject"]
    state = db.session.get(DigestState, reader.id)
    assert state.due_at == jobs.next_morning(state.sent_until, "Europe/Rome")
    post_comment(discussion, alice, "novità")
    jobs.send_daily_digests()
    db.session.commit()
    run_worker()
    assert len(mailbox) == 1  # news, but not yet the reader's morning
    state.due_at = state.sent_until - timedelta(seconds=1)
    db.session.commit()
    jobs.send_daily_digests()
    db.session.commit()
    run_worker()
    assert len(mailbox) == 2
