"""Loomio's tags arrive as the group's thread labels, and the import's summary speaks the admin's language."""

from html import unescape

from sqlalchemy import select

from platform6.extensions import db
from platform6.forums import labels
from platform6.forums.models import Discussion, DiscussionLabel
from tests.loomio.test_faithful import EVENTS, TOPICS
from tests.loomio.test_import import imported, run_import
from tests.loomio.test_routes import site_admin, upload


def thread(title: str) -> Discussion:
    return db.session.scalar(select(Discussion).where(Discussion.title == title))


def test_a_threads_tags_become_its_labels_in_its_group(app, create_user):
    summary = imported(app, create_user, EVENTS)
    roof = thread("Roof repairs")
    assert [label.name for label in roof.labels] == ["budget", "maintenance"]
    made = db.session.scalars(select(DiscussionLabel).where(DiscussionLabel.group_id == roof.group_id)).all()
    assert sorted(label.name for label in made) == ["budget", "maintenance"]
    assert all(label.colour in labels.PALETTE for label in made)
    assert (
        "The tags of the thread “Roof repairs” (maintenance, budget) are its labels"
        in (summary["in_plain_words"]["mapped_to_something_else"])
    )
    assert not any("tags" in said.lower() for said in summary["in_plain_words"]["left_behind"])


def test_the_tags_table_gives_the_labels_loomios_colour_and_a_second_run_adds_none(app, create_user):
    summary = imported(app, create_user, TOPICS)
    gate = thread("The garden gate")
    assert [(label.name, label.colour) for label in gate.labels] == [("Garden", "green")]  # Loomio's #4caf50
    assert summary["counts"]["tags"] == {"imported": 1, "skipped": 0}
    assert "1 tag (as a label)" in summary["in_plain_words"]["came_across"]
    again = run_import(app, TOPICS)
    assert again.exit_code == 0, again.output
    assert db.session.scalar(select(db.func.count()).select_from(DiscussionLabel)) == 1


def test_an_italian_admin_reads_the_summary_in_italian(create_user, client, login):
    admin = site_admin(create_user)
    admin.locale = "it"
    db.session.commit()
    login(admin)
    response = upload(client, EVENTS.read_bytes())
    assert response.status_code == 200
    page = unescape(response.get_data(as_text=True))
    assert "7 persone (2 come sostituti che non possono accedere)" in page
    assert "I tag della discussione «Roof repairs» (maintenance, budget) sono le sue etichette" in page
    assert "Le persone sono importate come account senza password." in page
    assert "reazioni a un sondaggio: qui le reazioni sono solo sui commenti" in page
    for english in ("as stand-ins", "Replies to votes are comments", "People are imported", "already imported"):
        assert english not in page


def test_the_command_writes_the_summary_in_the_admins_language(app, create_user):
    import json

    create_user(name="Operatrice", email="operator@example.org", locale="it")
    result = run_import(app, EVENTS)
    assert result.exit_code == 0, result.output
    words = json.loads(result.output)["in_plain_words"]
    assert "7 persone (2 come sostituti che non possono accedere)" in words["came_across"]
    assert json.loads(result.output)["counts"]["users"]["stand-in"] == 2  # machine fields stay as they are
