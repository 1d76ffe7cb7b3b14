"""Issue 15: two Italian readers, one in Rome and one in São Paulo, look at the same poll's closing time.

Each sees the interface in Italian and the closing time in their own zone, the zone named; the poll
closes at 13:47 UTC on 15 January 2027 (14:47 in Rome, winter time; 10:47 in São Paulo).
"""

from datetime import datetime

from playwright.sync_api import expect

from platform6.extensions import db
from platform6.governance import service as governance

CLOSES = datetime(2027, 1, 15, 13, 47)


def sign_in_in_italian(page, base, user):
    """Signed out, the page is in the browser's language (English here): the footer's switcher turns it Italian."""
    page.goto(base + "/sign-in")
    page.get_by_label("Language").select_option("it")
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_role("heading", name="Accedi")).to_be_visible()
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Accedi").click()
    expect(page.locator("html")).to_have_attribute("lang", "it")


def test_the_same_closing_time_in_rome_and_in_sao_paulo(
    app, live_server, new_page, screenshot, create_user, create_group
):
    giulia, joana = create_user(name="Giulia Rossi"), create_user(name="Joana Silva")
    giulia.locale, giulia.time_zone = "it", "Europe/Rome"
    joana.locale, joana.time_zone = "it", "America/Sao_Paulo"
    group = create_group(admin=giulia, members=[joana], name="Orti Solidali")
    poll = governance.create_poll(
        actor=giulia, group=group, kind="proposal", title="Comprare una bici cargo", closing_at=CLOSES,
        now=datetime(2026, 12, 4, 12, 0),
    )  # fmt: skip
    db.session.commit()

    rome = new_page(width=390, height=844)
    sign_in_in_italian(rome, live_server, giulia)
    rome.goto(f"{live_server}/polls/{poll.id}")
    expect(rome.locator("[data-poll-state]")).to_have_text(
        "chiude il 15 gen 2027, 14:47 (Ora standard dell’Europa centrale)"
    )
    screenshot(rome, "rome-390")

    sao_paulo = new_page(width=1280)
    sign_in_in_italian(sao_paulo, live_server, joana)
    sao_paulo.goto(f"{live_server}/polls/{poll.id}")
    expect(sao_paulo.locator("[data-poll-state]")).to_have_text(
        "chiude il 15 gen 2027, 10:47 (Ora standard di Brasilia)"
    )
    expect(sao_paulo.get_by_role("button", name="Vota")).to_be_visible()
    screenshot(sao_paulo, "sao-paulo-1280")
