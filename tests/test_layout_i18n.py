"""The site's frame (header, footer, error pages, the API docs' strip) in Italian: nothing English left."""


def test_an_error_page_in_italian_has_its_frame_and_message_translated(client):
    page = client.get("/no-such-page", headers={"Accept-Language": "it"})
    html = page.get_data(as_text=True)
    assert page.status_code == 404
    for italian in ("Vai al contenuto", "Non trovato", "A questo indirizzo non c&#39;è nessuna pagina", "Accedi",
                    "Registrati", "Cerca", "Competenze", "Lingua", "Vai alla pagina iniziale", 'lang="it"'):  # fmt: skip
        assert italian in html, italian
    for english in ("Skip to content", "Not found", "Sign in", "Go to the front page", "The requested URL"):
        assert english not in html, english


def test_the_api_docs_strip_in_italian(client):
    html = client.get("/api/docs", headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert "Documentazione dell'API" in html and "API versione 1" in html and "Server" in html
