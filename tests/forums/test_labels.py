"""Thread labels: a group's admins make them, whoever may edit a thread puts them on it, and everyone who
reads the group's threads sees them as chips and can show one label's threads (pages and API)."""

import re
from pathlib import Path

import pytest

from platform6.errors import Forbidden, ValidationFailed
from platform6.extensions import db
from platform6.forums import labels, service


@pytest.fixture
def world(create_user, create_group, create_discussion):
    alice, bob, carol = create_user(name="Alice"), create_user(name="Bob"), create_user(name="Carol")
    group = create_group(admin=alice, members=[bob, carol], privacy="closed")
    roof = create_discussion(group=group, author=bob, title="Roof repairs")
    garden = create_discussion(group=group, author=carol, title="The garden gate")
    return alice, bob, carol, group, roof, garden


def make(group, actor, *names):
    made = [labels.create_label(actor=actor, group=group, name=name) for name in names]
    db.session.commit()
    return made


# --- the service --------------------------------------------------------------------------------


def test_names_are_unique_in_a_group_whatever_their_case(world, create_group):
    alice, _bob, _carol, group, _roof, _garden = world
    (budget,) = make(group, alice, "  Budget  ")
    assert budget.name == "Budget" and budget.colour in labels.PALETTE
    with pytest.raises(ValidationFailed) as refused:
        labels.create_label(actor=alice, group=group, name="budget")
    assert refused.value.fields == {"name": ["The group has a label “budget” already."]}
    other = create_group(admin=alice)
    assert labels.create_label(actor=alice, group=other, name="budget").group_id == other.id


def test_a_label_needs_a_name_and_a_palette_colour(world):
    alice, _bob, _carol, group, _roof, _garden = world
    with pytest.raises(ValidationFailed) as empty:
        labels.create_label(actor=alice, group=group, name="   ")
    assert "name" in empty.value.fields
    with pytest.raises(ValidationFailed) as colour:
        labels.create_label(actor=alice, group=group, name="Garden", colour="#ff00ff")
    assert "colour" in colour.value.fields
    first, second = make(group, alice, "Garden", "Roof")
    assert first.colour != second.colour  # made without a choice, they still look apart


def test_a_member_who_is_not_an_admin_cannot_make_or_delete_labels(world):
    alice, bob, _carol, group, _roof, _garden = world
    make(group, alice, "Budget")
    with pytest.raises(Forbidden):
        labels.create_label(actor=bob, group=group, name="Mine")
    with pytest.raises(Forbidden):
        labels.delete_label(actor=bob, group=group, name="Budget")


def test_whoever_may_edit_a_thread_sets_its_labels_from_the_groups_own(world, create_group):
    alice, bob, carol, group, roof, _garden = world
    make(group, alice, "Budget", "Maintenance")
    service.update_discussion(actor=bob, discussion=roof, labels=["maintenance", "Budget", "budget"])
    db.session.commit()
    assert [label.name for label in roof.labels] == ["Budget", "Maintenance"]
    with pytest.raises(Forbidden):
        service.update_discussion(actor=carol, discussion=roof, labels=[])
    make(create_group(admin=alice), alice, "Elsewhere")
    with pytest.raises(ValidationFailed) as unknown:
        service.update_discussion(actor=alice, discussion=roof, labels=["Elsewhere"])
    assert unknown.value.fields == {"labels": ["The group has no label “Elsewhere”."]}


def test_deleting_a_label_takes_it_off_its_threads(world):
    alice, bob, _carol, group, roof, _garden = world
    make(group, alice, "Budget", "Maintenance")
    service.update_discussion(actor=bob, discussion=roof, labels=["Budget", "Maintenance"])
    labels.delete_label(actor=alice, group=group, name="BUDGET")
    db.session.commit()
    db.session.expire_all()
    assert [label.name for label in roof.labels] == ["Maintenance"]


def test_a_moved_thread_keeps_the_labels_its_new_group_has(world, create_group):
    alice, _bob, _carol, group, roof, _garden = world
    make(group, alice, "Budget", "Maintenance")
    service.update_discussion(actor=alice, discussion=roof, labels=["Budget", "Maintenance"])
    other = create_group(admin=alice)
    (budget_there,) = make(other, alice, "budget")
    service.move_discussion(actor=alice, discussion=roof, group=other)
    db.session.commit()
    assert roof.labels == [budget_there]


def test_every_palette_colour_keeps_white_text_readable_and_the_stylesheet_agrees():
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    css = (Path(__file__).parents[2] / "static" / "css" / "app.css").read_text(encoding="utf-8")
    for key, (_name, background) in labels.PALETTE.items():
        assert (1.05 / (luminance(background) + 0.05)) >= 4.5, key
        assert re.search(rf"\.label-{key} {{ background: {background}; }}", css), key


def test_another_tools_colour_becomes_the_nearest_palette_colour(world):
    _alice, _bob, _carol, group, _roof, _garden = world
    assert labels.nearest_colour("#4caf50", group.id) == "green"
    assert labels.nearest_colour("#d32f2f", group.id) == "red"
    assert labels.nearest_colour("not a colour", group.id) in labels.PALETTE


# --- the pages ----------------------------------------------------------------------------------


def test_the_admin_manages_labels_on_their_page(client, login, world):
    alice, _bob, _carol, group, _roof, _garden = world
    login(alice)
    assert client.get(f"/groups/{group.handle}/labels").status_code == 200
    response = client.post(f"/groups/{group.handle}/labels", data={"name": "Budget", "colour": "teal"})
    assert response.status_code == 302
    page = client.get(f"/groups/{group.handle}/labels").get_data(as_text=True)
    assert 'class="label-chip label-teal">Budget<' in page
    again = client.post(f"/groups/{group.handle}/labels", data={"name": "budget", "colour": "red"})
    assert again.status_code == 422
    assert "already" in again.get_data(as_text=True)
    assert client.post(f"/groups/{group.handle}/labels/Budget/delete").status_code == 302
    assert labels.group_labels(group.id) == []


def test_a_member_cannot_open_the_label_page_nor_add_a_label(client, login, world):
    _alice, bob, _carol, group, _roof, _garden = world
    login(bob)
    assert client.get(f"/groups/{group.handle}/labels").status_code == 403
    assert client.post(f"/groups/{group.handle}/labels", data={"name": "Mine"}).status_code == 403
    assert labels.group_labels(group.id) == []


def test_the_author_ticks_labels_on_the_edit_form_and_the_list_shows_them(client, login, world):
    alice, bob, _carol, group, roof, garden = world
    make(group, alice, "Budget", "Maintenance")
    login(bob)
    form = client.get(f"/d/{roof.id}/edit").get_data(as_text=True)
    assert 'type="checkbox"' in form and "Maintenance" in form
    response = client.post(
        f"/d/{roof.id}/edit", data={"title": "Roof repairs", "description": "", "labels": ["Maintenance"]}
    )
    assert response.status_code == 302
    assert "label-chip" in client.get(f"/d/{roof.id}").get_data(as_text=True)
    form = client.get(f"/d/{roof.id}/edit").get_data(as_text=True)
    assert 'checked id="labels-1" name="labels" type="checkbox" value="Maintenance"' in form
    assert 'id="labels-0" name="labels" type="checkbox" value="Budget"' in form
    listing = client.get(f"/groups/{group.handle}").get_data(as_text=True)
    row = listing.split(f'data-thread-row="{roof.id}"', 1)[1].split("</li>", 1)[0]
    assert ">Maintenance</span>" in row
    assert "label-chip" not in listing.split(f'data-thread-row="{garden.id}"', 1)[1].split("</li>", 1)[0]


def test_the_thread_list_filters_by_a_label(client, login, world):
    alice, _bob, _carol, group, roof, garden = world
    make(group, alice, "Maintenance", "Empty")
    service.update_discussion(actor=alice, discussion=roof, labels=["Maintenance"])
    db.session.commit()
    login(alice)
    filtered = client.get(f"/groups/{group.handle}?label=maintenance").get_data(as_text=True)
    assert f'data-thread-row="{roof.id}"' in filtered and f'data-thread-row="{garden.id}"' not in filtered
    assert 'aria-current="true">Maintenance</a>' in filtered
    empty = client.get(f"/groups/{group.handle}?label=Empty").get_data(as_text=True)
    assert "No thread has this label." in empty
    unfiltered = client.get(f"/groups/{group.handle}").get_data(as_text=True)
    assert f'data-thread-row="{garden.id}"' in unfiltered


def test_the_group_page_reads_labels_in_a_fixed_number_of_queries(client, login, world, create_discussion, queries):
    alice, _bob, _carol, group, _roof, _garden = world
    make(group, alice, "Budget", "Maintenance")
    login(alice)

    def label_all():
        for discussion in db.session.scalars(db.select(service.Discussion)):
            service.update_discussion(actor=alice, discussion=discussion, labels=["Budget", "Maintenance"])
        db.session.commit()

    label_all()
    client.get(f"/groups/{group.handle}")
    with queries() as few:
        client.get(f"/groups/{group.handle}")
    for n in range(5):
        create_discussion(group=group, author=alice, title=f"More {n}")
    label_all()
    with queries() as many:
        client.get(f"/groups/{group.handle}")
    assert len(many) == len(few)


# --- the API ------------------------------------------------------------------------------------


def test_labels_through_the_api(api, world):
    alice, bob, _carol, group, roof, garden = world
    created = api.post(f"/groups/{group.id}/labels", {"name": "Budget", "colour": "green"}, user=alice)
    assert created.status_code == 201 and created.get_json() == {"name": "Budget", "colour": "green"}
    assert api.post(f"/groups/{group.id}/labels", {"name": "budget"}, user=alice).status_code == 422
    refused = api.post(f"/groups/{group.id}/labels", {"name": "Mine"}, user=bob)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert api.get(f"/groups/{group.id}/labels", user=bob).get_json() == {
        "items": [{"name": "Budget", "colour": "green"}]
    }
    changed = api.patch(f"/discussions/{roof.id}", {"labels": ["budget"]}, user=bob)
    assert changed.status_code == 200 and changed.get_json()["labels"] == ["Budget"]
    unknown = api.patch(f"/discussions/{roof.id}", {"labels": ["Nope"]}, user=bob)
    assert unknown.status_code == 422 and "labels" in unknown.get_json()["error"]["fields"]
    listed = api.get(f"/groups/{group.id}/discussions?label=Budget", user=bob).get_json()["items"]
    assert [d["id"] for d in listed] == [roof.id]
    assert api.get(f"/discussions/{garden.id}", user=bob).get_json()["labels"] == []
    assert api.delete(f"/groups/{group.id}/labels/Budget", user=bob).status_code == 403
    assert api.delete(f"/groups/{group.id}/labels/Budget", user=alice).status_code == 204
    assert api.delete(f"/groups/{group.id}/labels/Budget", user=alice).status_code == 404
    assert api.get(f"/discussions/{roof.id}", user=bob).get_json()["labels"] == []


def test_an_outsider_sees_no_labels_of_a_closed_group(api, world, create_user):
    _alice, _bob, _carol, group, _roof, _garden = world
    assert api.get(f"/groups/{group.id}/labels", user=create_user()).status_code == 404
