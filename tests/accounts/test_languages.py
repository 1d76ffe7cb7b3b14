"""API.md 1.1 "People's settings": a person's language and time zone, on the API and on pages."""

from platform6.extensions import db


def test_me_carries_locale_and_time_zone_with_english_and_utc_by_default(api, create_user):
    me = api.get("/me", user=create_user()).get_json()
    assert me["locale"] == "en" and me["time_zone"] == "UTC"


def test_patch_me_changes_them(api, create_user):
    user = create_user()
    changed = api.patch("/me", {"locale": "it", "time_zone": "Europe/Rome"}, user=user)
    assert changed.status_code == 200
    assert changed.get_json()["locale"] == "it" and changed.get_json()["time_zone"] == "Europe/Rome"
    assert api.get("/me", user=user).get_json()["time_zone"] == "Europe/Rome"


def test_a_regional_tag_is_kept_in_bcp_47_form(api, create_user):
    assert api.patch("/me", {"locale": "es_mx"}, user=create_user()).get_json()["locale"] == "es-MX"


def test_unknown_values_are_refused_with_422_and_nothing_changes(api, create_user):
    user = create_user()
    for body, field in (
        ({"locale": "klingon"}, "locale"),
        ({"locale": "de"}, "locale"),  # a real language the interface is not translated into
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"time_zone": "europe/rome"}, "time_zone"),
        ({"locale": "it", "time_zone": "Nowhere"}, "time_zone"),
    ):
        refused = api.patch("/me", body, user=user)
        assert refused.status_code == 422, body
        assert refused.get_json()["error"]["code"] == "validation_failed"
        assert field in refused.get_json()["error"]["fields"]
    me = api.get("/me", user=user).get_json()
    assert me["locale"] == "en" and me["time_zone"] == "UTC"


def test_sign_up_takes_the_browsers_language_unless_given_one(api):
    body = {"email": "a@example.org", "name": "Anna", "password": "long enough"}
    italian = api.post("/users", body, headers={"Accept-Language": "it-IT,it;q=0.9,en;q=0.5"}).get_json()
    assert italian["locale"] == "it"
    chosen = api.post("/users", body | {"email": "b@example.org", "locale": "es", "time_zone": "America/Sao_Paulo"})
    assert chosen.get_json()["locale"] == "es" and chosen.get_json()["time_zone"] == "America/Sao_Paulo"
    assert api.post("/users", body | {"email": "c@example.org", "time_zone": "UTC+1"}).status_code == 422


def test_api_error_messages_are_in_the_callers_language(api, create_user):
    user = create_user()
    api.patch("/me", {"locale": "it"}, user=user)
    missing = api.get("/groups/999999", user=user).get_json()["error"]
    assert missing["code"] == "not_found" and "Not found" not in missing["message"]


def test_pages_are_in_the_readers_language_and_say_so(client, login, create_user):
    assert '<html lang="en">' in client.get("/sign-in").get_data(as_text=True)
    italian = client.get("/sign-in", headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert '<html lang="it">' in italian and "Accedi" in italian and "Hai dimenticato la password?" in italian
    chosen = client.get("/language?locale=es&next=/sign-in")
    assert chosen.status_code == 302 and chosen.headers["Location"].endswith("/sign-in")
    assert '<html lang="es">' in client.get("/sign-in", headers={"Accept-Language": "it"}).get_data(as_text=True)


def test_a_persons_setting_beats_the_browser_and_is_saved_in_settings(client, login, create_user):
    user = login(create_user())
    saved = client.post(
        "/settings", data={"form": "language", "language-locale": "it", "language-time_zone": "Europe/Rome"}
    )
    assert saved.status_code == 302
    db.session.refresh(user)
    assert user.locale == "it" and user.time_zone == "Europe/Rome"
    page = client.get("/settings", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="it">' in page
    assert page.count(" selected>") == 1  # one zone chosen among the ~600
    assert '<option value="Europe/Rome" selected>Europe/Rome</option>' in page


def test_settings_refuse_an_unknown_zone_on_the_form(client, login, create_user):
    user = login(create_user())
    refused = client.post("/settings", data={"form": "language", "language-locale": "en", "language-time_zone": "Moon"})
    assert refused.status_code == 422
    db.session.refresh(user)
    assert user.time_zone == "UTC"
