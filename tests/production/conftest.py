"""Fixtures for the production tests: extra apps with their own settings, cleaned up after the test."""

import pytest

from platform6.extensions import db
from tests.conftest import make_app


@pytest.fixture
def other_app(database_url):
    """`other_app(url=None, **settings)`: an app beside the test's own, its pool closed after the test."""
    made = []

    def factory(url: str | None = None, **settings):
        new = make_app(url or database_url, **settings)
        made.append(new)
        return new

    yield factory
    for each in made:
        with each.app_context():
            db.session.remove()
            db.engine.dispose()
