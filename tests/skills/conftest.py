"""Skills board fixtures: profiles and requests made through the service."""

import pytest

from platform6.extensions import db
from platform6.skills import service
from tests.credit.conftest import make_network, open_account  # noqa: F401 - credit fixtures for rewards


@pytest.fixture
def set_profile(app):
    def factory(user, skills=(), **fields):
        service.update_profile(actor=user, **fields)
        service.set_skills(actor=user, skills=list(skills))
        db.session.commit()
        return user

    return factory


@pytest.fixture
def post_request(app):
    def factory(author, group, skills=(("Video editing", 3, True),), title="Cut our video", **fields):
        posted = service.post_request(
            actor=author,
            group=group,
            title=title,
            skills=[service.WantedSkill(name, level, required) for name, level, required in skills],
            **fields,
        )
        db.session.commit()
        return posted

    return factory
