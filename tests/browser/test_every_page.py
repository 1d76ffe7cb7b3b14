"""Every page, in a phone's width and a desktop's, signed out and signed in: axe-core finds no violation
and no page is wider than the phone.

The pages are the app's own URL map: every GET route that is a page, its parameters filled from the demo
world (`flask demo`). A route added later is visited too, or the test fails until it names where its
parameters come from (PARAMETERS) or why it is no page (NOT_PAGES). axe-core is vendored from its npm
package (tests/browser/vendor) and injected by Playwright, so the pages themselves never load it.

Cost: one browser, one context per person, one navigation per page; the page is checked at 1280 px,
then resized to 390 px and checked again. Screenshots of each page at both widths go to
test-results/test_every_page/ (.ci/run prints the folder).
"""

import re
from pathlib import Path

from sqlalchemy import or_, select, update

from platform6.extensions import db
from tests.browser.conftest import RESULTS

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
PHONE, DESKTOP = 390, 1280
DEMO_PERSON, DEMO_PASSWORD = "alice@example.org", "platform6"
SCREENSHOTS = RESULTS / "test_every_page"

# Routes that are no page to look at: files, redirects, health checks. Everything under /api/v1 is JSON, and
# under /cc/ the Credit Commons protocol other servers call.
NOT_PAGES = {
    "static": "files",
    "health.healthz": "JSON for the load balancer",
    "accounts.choose_language": "sets a cookie and redirects",
    "forums.first_unread": "redirects to the first unread comment",
    "notifications.open_one": "marks the notification read and redirects",
    "credit.statement": "a CSV file",
    "governance.results_csv": "a CSV file",
    "exports.export": "a JSON download",
    "forums.mentions": "JSON for the mention autocomplete",
}


def _demo_world(app) -> dict:
    """The demo data, and the ids the parameterised pages are visited with (alice can see them all)."""
    from platform6 import feature_modules
    from platform6.accounts.models import User
    from platform6.accounts.service import password_reset_token
    from platform6.credit import queries as credit_queries
    from platform6.credit.models import Account, Leg, Network, PaymentRequest
    from platform6.forums.models import Comment, Discussion
    from platform6.governance.models import Poll
    from platform6.groups.models import Group, Membership
    from platform6.groups.service import create_invitation
    from platform6.notifications.outbox import unsubscribe_token
    from platform6.skills.models import SkillRequest
    from platform6.transaction import unit_of_work

    story: dict = {}
    for module in feature_modules("demo"):
        with unit_of_work():
            module.seed(story)
    alice = db.session.scalar(select(User).where(User.email == DEMO_PERSON))
    # Site admin and an admin of the national credit network's group too, so that the admins' pages are
    # pages to look at rather than refusals.
    alice.is_site_admin = True
    ocn = db.session.scalar(select(Group.id).where(Group.handle == "ocn"))
    db.session.execute(
        update(Membership).where(Membership.group_id == ocn, Membership.user_id == alice.id).values(role="admin")
    )
    group = db.session.scalar(select(Group).where(Group.handle == "platform6"))
    _, invitation = create_invitation(actor=alice, group=group)
    first = lambda model: db.session.scalar(select(model.id).order_by(model.id).limit(1))  # noqa: E731
    account = db.session.scalar(
        select(Account.id).where(Account.holder_type == "user", Account.holder_id == alice.id).order_by(Account.id)
    )
    networks = db.session.scalars(select(Network).order_by(Network.id)).all()
    world = {
        "handle": {"groups": "platform6", "people": alice.handle},
        "discussion_id": db.session.scalar(
            select(Discussion.id).where(Discussion.group_id == group.id).order_by(Discussion.id)
        ),
        "comment_id": db.session.scalar(select(Comment.id).where(Comment.author_id == alice.id).order_by(Comment.id)),
        "poll_id": first(Poll),
        "network_id": next(n.id for n in networks if credit_queries.is_network_admin(alice, n)),
        "account_id": account,
        "transfer_id": db.session.scalar(
            select(Leg.transfer_id).where(or_(Leg.from_account_id == account, Leg.to_account_id == account))
        ),
        "request_id": {"credit": first(PaymentRequest), "skills": first(SkillRequest)},
        "user_id": alice.id,
        "token": {
            "invitations": invitation,
            "reset-password": password_reset_token(alice),
            "unsubscribe": unsubscribe_token(alice.id, group.id),
        },
    }
    db.session.commit()
    return world


def _value(world: dict, rule: str, name: str):
    value = world[name]
    if isinstance(value, dict):  # the same parameter name in several features: the URL's first segment says which
        value = value[rule.strip("/").split("/")[0]]
    return value


def _pages(app, world: dict) -> list[tuple[str, str]]:
    """(endpoint, path) for every GET page of the URL map."""
    pages = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        # /api/v1 is JSON; /cc/ is the Credit Commons protocol other servers call
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or rule.rule.startswith(("/api/v1", "/cc/")):
            continue
        values = {name: _value(world, rule.rule, name) for name in rule.arguments}
        assert all(v is not None for v in values.values()), f"the demo world has nothing for {rule.rule}"
        path = rule.rule
        for name, value in values.items():
            path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value), path)
        pages.append((rule.endpoint, path))
    return pages


AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({rule: v.id, impact: v.impact,
    targets: v.nodes.slice(0, 3).map((n) => n.target.join(" ")).concat(v.nodes.length > 3 ? ["..."] : [])}));
}"""


def _check(page, endpoint: str, who: str, width: int, found: dict, too_wide: list) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")  # resize handlers
    if page.evaluate("typeof axe") == "undefined":
        page.evaluate(AXE.read_text())
    for violation in page.evaluate(AXE_RUN):
        found.setdefault(endpoint, []).append({"who": who, "width": width, **violation})
    if width == PHONE:
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > PHONE:
            too_wide.append(f"{endpoint} ({who}): {scroll_width} px")
    page.screenshot(path=str(SCREENSHOTS / f"{endpoint}-{who}-{width}.png"), full_page=True)


def _sign_in(page, base: str) -> None:
    page.goto(base + "/sign-in")
    page.locator("input[name=email]").fill(DEMO_PERSON)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/dashboard"))


def test_every_page_is_accessible_and_fits_a_phone(app, live_server, browser):
    world = _demo_world(app)
    pages = _pages(app, world)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    found: dict[str, list] = {}
    too_wide: list[str] = []
    broken: list[str] = []
    for who in ("signed-out", "signed-in"):
        context = browser.new_context(viewport={"width": DESKTOP, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        if who == "signed-in":
            _sign_in(page, live_server)
        for endpoint, path in pages:
            response = page.goto(live_server + path)
            landed = page.url.removeprefix(live_server).split("?")[0]
            if landed != path.split("?")[0]:
                continue  # sent elsewhere (to sign in, to the dashboard): that page is checked as a page of its own
            if response is None or (response.status >= 400 and who == "signed-in"):
                broken.append(f"{path} ({who}): {response and response.status}")
            if path == "/api/docs":  # the operations are drawn by script after the load
                page.locator(".opblock").first.wait_for()
            for width in (DESKTOP, PHONE):
                _check(page, endpoint, who, width, found, too_wide)
        context.close()

    problems = []
    for endpoint, violations in sorted(found.items()):
        by_rule: dict[str, list] = {}
        for v in violations:
            by_rule.setdefault(v["rule"], []).append(v)
        for rule, seen in by_rule.items():
            where = sorted({f"{v['who']} {v['width']}px" for v in seen})
            problems.append(f"{endpoint}: {rule} ({seen[0]['impact']}) at {', '.join(where)}: {seen[0]['targets']}")
    problems += [f"too wide at {PHONE} px: {line}" for line in too_wide]
    assert broken == [], f"pages refused the demo person: {broken}"
    assert problems == [], "\n".join(problems)
