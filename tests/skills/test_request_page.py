"""The request page (issue 14 "Skills"): who sees whose fit, weak matches folded, no invite after applying,
the reward's network checked at apply and accept time and put right from the page, a refused completion
keeping what was typed; and the board's pages in Italian (issue 15)."""

import html
import re

import pytest
from sqlalchemy import select

from platform6.credit import queries as credit_queries
from platform6.extensions import db
from platform6.groups.models import Group
from platform6.notifications.models import Notification
from platform6.skills import queries, service

VIDEO = (("Video editing", 3, True),)


@pytest.fixture
def board(create_user, create_group, set_profile, post_request):
    """Ada administers Co-op; Ben fits its request well, Cy weakly (only a related skill), Dee not at all."""
    ada, ben, cy, dee = (create_user(name=n) for n in ("Ada Lovelace", "Ben Strong", "Cy Weak", "Dee None"))
    group = create_group(admin=ada, members=[ben, cy, dee], privacy="open", name="Co-op")
    set_profile(ben, [("Video editing", 4)], languages=["en"])
    set_profile(cy, [("Video production", 1)], remote_ok=False)
    set_profile(dee, [("Cooking", 3)])
    request = post_request(ada, group, skills=(*VIDEO, ("Subtitling", 2, False)))
    return {"ada": ada, "ben": ben, "cy": cy, "dee": dee, "group": group, "request": request}


def _page(client, request_id: int, **headers) -> str:
    """The request page's HTML with entities read back ("&#39;" as "'"), to look for the words people read."""
    return html.unescape(client.get(f"/skills/requests/{request_id}", headers=headers).get_data(as_text=True))


def test_a_volunteer_sees_only_their_own_fit_and_managers_the_ranked_candidates(client, login, board):
    rid = board["request"].id
    login(board["ben"])
    page = _page(client, rid)
    assert "only you see this" in page and "Has Video editing" in page
    assert "Cy Weak" not in page and "People for this request" not in page and "Invite" not in page

    login(board["dee"])
    page = _page(client, rid)
    assert "None of the skills in your profile is one this request asks for." in page
    assert "Ben Strong" not in page and "% fit" not in page

    login(board["ada"])
    page = _page(client, rid)
    assert "People for this request" in page and "Invite Ben Strong to apply" in page
    assert "Dee None" not in page  # nothing relevant: not a candidate at all


def test_weak_matches_are_folded_behind_show_more_with_readable_reasons(client, login, board):
    login(board["ada"])
    page = _page(client, board["request"].id)
    shown, folded = page.split('<details class="weak-matches">')
    assert "Ben Strong" in shown and "Cy Weak" not in shown
    assert "Show 1 more (weak match)" in folded and "Cy Weak" in folded
    assert "Has Video production, related to Video editing" in folded
    assert "(related)" not in page and "Missing:" not in page
    cy_match = next(
        m for p, m in queries.people_for(queries.request_by_id(board["request"].id)) if p["id"] == board["cy"].id
    )
    assert cy_match.weak and cy_match.score < 0.35


def test_no_invitation_is_offered_to_someone_who_applied(client, login, board):
    service.apply(actor=board["ben"], request=board["request"])
    db.session.commit()
    login(board["ada"])
    page = _page(client, board["request"].id)
    assert "Invite Ben Strong to apply" not in page and "Invite Cy Weak to apply" in page
    refused = client.post(f"/skills/requests/{board['request'].id}/invite/{board['ben'].id}")
    assert refused.status_code == 302
    assert "That person applied already." in _page(client, board["request"].id)


@pytest.fixture
def rewarded(create_user, create_group, make_network, open_account, set_profile, post_request):
    """Co-op (admin Ada) pays a reward from its account in a network governed by another group (admin Nia);
    Val, the volunteer, has no account in that network."""
    ada, nia, val = create_user(name="Ada Lovelace"), create_user(name="Nia Network"), create_user(name="Val Vol")
    coop = create_group(admin=ada, members=[val], privacy="open", name="Co-op")
    network = make_network(admin=nia, name="Town Credit", code="TWN")
    pot = open_account(network, group=coop, credit_limit=500_00)
    set_profile(val, [("Video editing", 4)])
    request = post_request(ada, coop, skills=VIDEO, reward_account_id=pot.id, reward_amount=60_00)
    return {"ada": ada, "nia": nia, "val": val, "coop": coop, "network": network, "request": request}


def _accept(client, login, world) -> None:
    login(world["ada"])
    application = queries.applications_of(world["request"])[0]
    client.post(f"/skills/applications/{application.id}/accept")


def test_the_reward_network_is_checked_at_apply_and_accept_and_the_network_admins_asked(client, login, rewarded):
    w, rid = rewarded, rewarded["request"].id
    login(w["val"])
    client.post(f"/skills/requests/{rid}/apply", data={"message": "Glad to"})
    page = _page(client, rid)
    assert "The reward is paid in Town Credit, where you have no account yet." in page  # flashed, and in the card
    assert page.count("Town Credit, where you have no account yet") == 2
    assert "Ask the network's admins" in page

    _accept(client, login, w)
    page = _page(client, rid)
    assert "Val Vol has no account in Town Credit, the reward's network: open one or ask its admins" in page
    assert "must have an account in Town Credit first" in page  # in the completion form too
    assert "Open Val Vol's account" not in page  # Ada does not administer the network

    asked = client.post(f"/skills/requests/{rid}/reward-account/{w['val'].id}/ask")
    assert asked.status_code == 302
    told = db.session.scalars(select(Notification).where(Notification.kind == "skill_reward_account_wanted")).all()
    assert [(n.user_id, n.url) for n in told] == [(w["nia"].id, f"/credit/networks/{w['network'].id}/accounts/new")]
    assert f"@{w['val'].handle}" in told[0].text and "Town Credit" in told[0].text


def test_a_network_admin_opens_the_account_from_the_request_and_completion_pays(client, login, rewarded):
    w, rid = rewarded, rewarded["request"].id
    service.apply(actor=w["val"], request=w["request"])
    db.session.commit()
    from platform6.groups.service import add_member, set_role

    governing = db.session.get(Group, w["network"].group_id)
    add_member(actor=w["nia"], group=governing, user_id=w["ada"].id)  # Ada now helps run the network too
    set_role(actor=w["nia"], group=governing, user_id=w["ada"].id, role="admin")
    db.session.commit()
    _accept(client, login, w)
    page = _page(client, rid)
    assert "Open Val Vol's account in Town Credit" in page
    assert client.post(f"/skills/requests/{rid}/reward-account/{w['val'].id}/open").status_code == 302
    db.session.expire_all()
    assert credit_queries.account_for_holder(network_id=w["network"].id, holder_type="user", holder_id=w["val"].id)
    assert "reward-account-warning" not in _page(client, rid)
    client.post(f"/skills/requests/{rid}/complete", data={f"done-{w['val'].id}": "y", f"hours-{w['val'].id}": "2"})
    db.session.expire_all()
    assert queries.request_by_id(rid).state == "completed"
    login(w["val"])
    person = client.get(f"/skills/people/{w['val'].id}").get_data(as_text=True)
    assert re.search(r"data-credit-earned>§60\.00<", person)


def test_a_refused_completion_keeps_the_hours_and_endorsements_typed(client, login, rewarded):
    w, rid = rewarded, rewarded["request"].id
    service.apply(actor=w["val"], request=w["request"])
    db.session.commit()
    _accept(client, login, w)
    vid = w["val"].id
    response = client.post(
        f"/skills/requests/{rid}/complete",
        data={f"done-{vid}": "y", f"hours-{vid}": "3.75", "endorse": "Video editing"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Val Vol has no account in Town Credit" in page and 'role="alert"' in page
    assert f'name="hours-{vid}" value="3.75"' in page
    assert re.search(rf'name="done-{vid}" value="y" checked', page)
    assert re.search(r'name="endorse" value="Video editing" checked', page)
    db.session.expire_all()
    assert queries.request_by_id(rid).state == "assigned"  # nothing written


def test_skill_levels_are_read_as_words_not_an_aria_label_on_a_span(client, login, board):
    login(board["ben"])
    page = client.get(f"/skills/people/{board['ben'].id}").get_data(as_text=True)
    assert 'aria-label="level' not in page
    assert '<span aria-hidden="true">●●●●○</span><span class="visually-hidden">level 4 of 5</span>' in page


def test_the_board_and_a_request_page_read_in_italian(client, login, board):
    service.apply(actor=board["ben"], request=board["request"])
    db.session.commit()
    board["ada"].locale = "it"  # her setting (the browser's Accept-Language counts only without one)
    db.session.commit()
    login(board["ada"])
    it = {"Accept-Language": "it"}
    boards = client.get("/skills", headers=it).get_data(as_text=True)
    assert '<html lang="it">' in boards
    for italian in ("Bacheca delle competenze", "Tutte le richieste aperte", "Ricerche salvate", "Filtra"):
        assert italian in boards, italian
    for english in ("Skills board", "All open requests", "Saved searches", ">Filter<"):
        assert english not in boards, english
    page = _page(client, board["request"].id, **it)
    for italian in ("Candidature", "Persone per questa richiesta", "Montaggio video", "Mostra altre 1"):
        assert italian in page, italian
    for english in ("Applications", "People for this request", "Video editing", "Show 1 more", "Invite "):
        assert english not in page, english


def _main_text(page: str) -> str:
    """The words in a page's <main> (the layout around it belongs to other areas), attributes people read too."""
    main = page.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    attributes = " ".join(re.findall(r'(?:aria-label|title|placeholder|label|data-confirm)="([^"]*)"', main))
    return html.unescape(re.sub(r"<[^>]+>", " ", main) + " " + attributes)


def _english_left(english: str, italian: str) -> list[str]:
    """Catalogue msgids shown in the English rendering that are still there in the Italian one."""
    from babel.messages.pofile import read_po

    from platform6 import i18n

    path = i18n.__file__.replace("i18n.py", "translations/it/LC_MESSAGES/messages.po")
    with open(path, "rb") as po:
        catalogue = read_po(po, locale="it")
    left = []
    for message in catalogue:
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        translated = message.string if isinstance(message.string, str) else message.string[0]
        if not msgid or "%(" in msgid or " " not in msgid or translated in ("", msgid):
            continue  # one word may be anybody's ("Town Credit"); an empty msgstr is another area's
        if re.search(rf"\b{re.escape(msgid)}\b", english) and re.search(rf"\b{re.escape(msgid)}\b", italian):
            left.append(msgid)
    return left


def test_no_english_is_left_on_the_skills_pages_in_italian(client, login, board, rewarded):
    service.apply(actor=board["ben"], request=board["request"])
    service.apply(actor=rewarded["val"], request=rewarded["request"])
    db.session.commit()
    pages = [
        (board["ada"], ["/skills", f"/skills/requests/{board['request'].id}", f"/groups/{board['group'].handle}/skills",
                        "/skills/directory", "/skills/profile", f"/groups/{board['group'].handle}/requests/new",
                        f"/skills/people/{board['ben'].id}"]),
        (board["ben"], [f"/skills/requests/{board['request'].id}", "/skills"]),
        (rewarded["val"], [f"/skills/requests/{rewarded['request'].id}"]),
        (rewarded["ada"], [f"/skills/requests/{rewarded['request'].id}"]),
    ]  # fmt: skip
    for person, urls in pages:
        login(person)
        for url in urls:
            person.locale = "en"
            db.session.commit()
            english = _main_text(client.get(url).get_data(as_text=True))
            person.locale = "it"
            db.session.commit()
            italian = _main_text(client.get(url).get_data(as_text=True))
            assert _english_left(english, italian) == [], url


def test_every_skills_string_has_its_italian(app):
    """Every msgid marked in the skills board's code and templates (taxonomy names included) has an Italian msgstr."""
    from pathlib import Path

    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    with open(root / "platform6/translations/it/LC_MESSAGES/messages.po", "rb") as po:
        catalogue = read_po(po, locale="it")
    method_map = [("platform6/skills/**.py", "python"), ("templates/skills/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "N_": None}
    extracted = list(
        extract_from_dir(
            str(root), method_map, keywords=keywords, options_map={"**.html": {"extensions": "jinja2.ext.do"}}
        )
    )
    assert len(extracted) > 400  # the board's own strings and the taxonomy's names
    untranslated = []
    for _path, _line, message, _comments, _context in extracted:
        msgid = message if isinstance(message, str) else message[0]
        found = catalogue.get(msgid)
        if found is None or not all(found.string if isinstance(found.string, tuple) else [found.string]):
            untranslated.append(msgid)
    assert untranslated == []
