"""Forum fixtures: a thread factory and the in-memory mail outbox."""

import pytest

from platform6.extensions import db


@pytest.fixture(autouse=True)
def _memory_mail(app):
    app.config["MAIL_BACKEND"] = "memory"
    app.config["SITE_URL"] = "http://localhost"


@pytest.fixture
def mailbox(app):
    from platform6.mail import outbox

    return outbox()


@pytest.fixture
def run_worker(app):
    """What the worker does: expand big groups' news, then send every due email (into `mailbox`)."""
    from platform6.forums.jobs import expand_group_fanouts
    from platform6.notifications.jobs import deliver_emails

    def run():
        expand_group_fanouts()
        db.session.commit()
        deliver_emails()

    return run


@pytest.fixture
def create_discussion(create_user, create_group):
    from platform6.forums import service

    def factory(group=None, author=None, title: str = "A thread", description: str = "", **group_kwargs):
        if group is None:
            author = author or create_user()
            group = create_group(admin=author, **group_kwargs)
        if author is None:
            from platform6.accounts.models import User

            author = db.session.get(User, group.created_by_id)
        discussion = service.start_discussion(actor=author, group=group, title=title, description=description)
        db.session.commit()
        return discussion

    return factory


@pytest.fixture
def post_comment():
    from platform6.forums import service

    def post(discussion, author, body: str = "A comment", parent=None):
        comment = service.post_comment(
            actor=author, discussion=discussion, body=body, parent_id=parent.id if parent else None
        )
        db.session.commit()
        return comment

    return post
