"""Reminders and expiry: each due item is claimed once, however often or wherever the job runs."""

from datetime import timedelta

from platform6.extensions import db
from platform6.notifications.models import Notification
from platform6.skills import jobs, service
from platform6.skills.jobs import skills_reminders
from platform6.skills.models import Application, SkillRequest
from platform6.timeutil import utcnow


def kinds(user):
    return [n.kind for n in db.session.query(Notification).filter_by(user_id=user.id).order_by(Notification.id)]


def test_unanswered_applications_remind_the_group_after_2_and_7_days(create_user, create_group, post_request):
    admin, vol = create_user(), create_user()
    group = create_group(admin=admin, members=[vol], privacy="open")
    request = post_request(admin, group)
    application = service.apply(actor=vol, request=request, message="")
    db.session.commit()
    now = utcnow()
    assert jobs.remind_unanswered_applications(now + timedelta(days=1)) == 0
    assert jobs.remind_unanswered_applications(now + timedelta(days=2, minutes=1)) == 1
    assert jobs.remind_unanswered_applications(now + timedelta(days=3)) == 0
    assert jobs.remind_unanswered_applications(now + timedelta(days=7, minutes=1)) == 1
    assert jobs.remind_unanswered_applications(now + timedelta(days=30)) == 0
    db.session.commit()
    assert kinds(admin).count("skill_application_waiting") == 2
    assert db.session.get(Application, application.id).reminders_sent == 2


def test_an_answered_application_is_not_reminded(create_user, create_group, post_request):
    admin, vol = create_user(), create_user()
    group = create_group(admin=admin, members=[vol], privacy="open")
    request = post_request(admin, group)
    application = service.apply(actor=vol, request=request)
    service.decide_application(actor=admin, application=application, accept=False)
    db.session.commit()
    assert jobs.remind_unanswered_applications(utcnow() + timedelta(days=8)) == 0


def test_requests_get_a_reminder_5_days_before_and_expire_at_the_deadline(create_user, create_group, post_request):
    admin = create_user()
    group = create_group(admin=admin, privacy="open")
    deadline = utcnow() + timedelta(days=10)
    with_deadline = post_request(admin, group, deadline=deadline)
    without = post_request(admin, group)
    assert without.expires_at - without.created_at == timedelta(days=60)
    assert jobs.remind_expiring_requests(utcnow()) == 0
    assert jobs.remind_expiring_requests(deadline - timedelta(days=4)) == 1
    assert jobs.remind_expiring_requests(deadline - timedelta(days=3)) == 0
    assert jobs.expire_requests(deadline - timedelta(minutes=1)) == 0
    assert jobs.expire_requests(deadline + timedelta(minutes=1)) == 1
    db.session.commit()
    expired = db.session.get(SkillRequest, with_deadline.id)
    assert (expired.state, expired.closed_reason) == ("cancelled", "expired")
    assert jobs.expire_requests(utcnow() + timedelta(days=61)) == 1
    db.session.commit()
    assert "skill_request_expiring" in kinds(admin) and kinds(admin).count("skill_request_expired") == 2


def test_an_assigned_request_does_not_expire(create_user, create_group, post_request):
    admin, vol = create_user(), create_user()
    group = create_group(admin=admin, members=[vol], privacy="open")
    request = post_request(admin, group)
    service.decide_application(actor=admin, application=service.apply(actor=vol, request=request), accept=True)
    db.session.commit()
    assert jobs.expire_requests(utcnow() + timedelta(days=61)) == 0


def test_the_registered_job_runs_and_commits(app, create_user, create_group, post_request):
    from platform6.notifications.scheduler import JOBS

    assert any(job.run is skills_reminders for job in JOBS.values())
    admin = create_user()
    request = post_request(admin, create_group(admin=admin, privacy="open"))
    db.session.execute(
        SkillRequest.__table__.update()
        .where(SkillRequest.id == request.id)
        .values(expires_at=utcnow() - timedelta(days=1))
    )
    db.session.commit()
    skills_reminders()
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(SkillRequest, request.id).state == "cancelled"


def test_demo_profiles_and_requests_match_the_seed_story(app):
    from platform6 import feature_modules
    from platform6.accounts.models import User
    from platform6.skills import queries

    for _ in range(2):  # idempotent; the credit demo's trading is left out to keep this fast
        story: dict = {}
        for module in feature_modules("demo"):
            if not module.__name__.endswith("credit.demo"):
                module.seed(story)
                db.session.commit()
    assert db.session.query(SkillRequest).count() == 3
    users = {u.email.split("@")[0]: u for u in db.session.query(User)}
    firsts = {h: queries.gigs_for(users[h])[0][0].title for h in ("ellie", "dev", "chiara")}
    assert firsts == {
        "ellie": "Edit our two-minute launch video",
        "dev": "Set up a Mastodon instance for the network",
        "chiara": "Speak Italian on a call with a Bologna co-op",
    }
