"""The authorization matrix's vocabulary, its world and its rows, one module per feature.

tests/test_authorization_matrix.py is the runner (and holds the foundation's rows); each feature's
rows live in tests/authorization/<feature>.py, the objects they act on in world.py.
"""

import itertools

ACTORS = ("anonymous", "outsider", "member", "admin")
PRIVACIES = ("open", "closed", "secret")
#: a page's redirect to the sign-in page
LOGIN = "login"


def same(anonymous, outsider, member, admin) -> dict:
    """The same answers whatever the group's privacy (the route does not involve the group)."""
    return dict.fromkeys(PRIVACIES, (anonymous, outsider, member, admin))


def by_privacy(open_, closed, secret) -> dict:
    return {"open": open_, "closed": closed, "secret": secret}


def content(open_, hidden) -> dict:
    """A group's content: `open_` on an open group, `hidden` on a closed and a secret one (404 to outsiders)."""
    return by_privacy(open_, hidden, hidden)


_unique = itertools.count(1)


def fresh(prefix: str) -> str:
    return f"{prefix}{next(_unique)}"
