"""Demo people: a dozen members of the seed stories, all with the password `platform6`."""

from ..extensions import db
from .models import User
from .service import create_user, user_by_email

DEMO_PASSWORD = "platform6"

PEOPLE = [
    ("alice", "Alice Okafor"),
    ("ben", "Ben Hartley"),
    ("chiara", "Chiara Russo"),
    ("dev", "Dev Patel"),
    ("ellie", "Ellie Sutcliffe"),
    ("farid", "Farid Haddad"),
    ("grace", "Grace Mwangi"),
    ("hamish", "Hamish Boyd"),
    ("ines", "Inês Carvalho"),
    ("jo", "Jo Whitaker"),
    ("kwame", "Kwame Asante"),
    ("lena", "Lena Fischer"),
]


def seed(story: dict) -> None:
    users: dict[str, User] = story.setdefault("users", {})
    for key, name in PEOPLE:
        email = f"{key}@example.org"
        user = user_by_email(email) or create_user(email=email, name=name, password=DEMO_PASSWORD, handle=key)
        users[key] = user
    db.session.flush()
    story.setdefault("summary", {})["people"] = len(users)
