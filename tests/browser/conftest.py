"""Browser journeys: the app served on a free local port, driven by Playwright in Debian's Chromium.

Fixtures: `live_server` (its base URL), `new_page()` (a page in a fresh browser context, i.e. a
separate person with their own cookies) and `screenshot(page, "step")`, which saves
test-results/<database>/<test>/<NN-step>.png (.ci/run lists them at the end).
`wait_until_live(page)`: before another person acts, so that what they do reaches this page over
Socket.IO rather than racing its joining.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from platform6.extensions import db
from tests.conftest import PASSWORD, make_app

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# One folder per database, since .ci/run runs the SQLite and PostgreSQL suites side by side.
RESULTS = (
    Path(__file__).resolve().parents[2]
    / "test-results"
    / ("postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite")
)


def sign_in(page, base: str, user) -> None:
    """Sign `user` in through the form, as a person does, and wait for the dashboard."""
    page.goto(base + "/sign-in")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")


def wait_until_live(page) -> None:
    """Wait until the page's Socket.IO connection has joined its room (static/js/live.js marks <body>)."""
    from playwright.sync_api import expect

    expect(page.locator("body[data-live=joined]")).to_have_count(1)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Chromium (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def live_server(app, database_url):
    """The app on a free port, CSRF on as in production, sharing the test's database."""
    served = make_app(database_url, WTF_CSRF_ENABLED=True, SERVER_NAME=None)
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()
    with served.app_context():
        db.engine.dispose()


@pytest.fixture
def new_page(browser):
    contexts = []

    def open_page(width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request):
    folder = RESULTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    taken = []

    def shoot(page, step: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        taken.append(step)
        path = folder / f"{len(taken):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot
