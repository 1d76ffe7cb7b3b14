"""Two members in two browsers: a thread is started, the reply arrives live, the mention rings the bell,
and search finds the thread."""

from playwright.sync_api import expect

from platform6.extensions import db
from platform6.forums import service
from tests.browser.conftest import wait_until_live
from tests.conftest import PASSWORD


def sign_in(page, base: str, user) -> None:
    page.goto(base + "/sign-in")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=f"Hello, {user.name}")).to_be_visible()


def test_a_thread_reply_arrives_live_and_the_mention_is_found(
    live_server, new_page, screenshot, create_user, create_group
):
    alice = create_user(name="Alice Okafor", handle="alice")
    bob = create_user(name="Ben Hartley", handle="ben")
    group = create_group(admin=alice, members=[bob], name="Kirklees Bike Co-op")

    author = new_page()
    sign_in(author, live_server, alice)
    author.goto(f"{live_server}/groups/{group.handle}")
    author.get_by_role("link", name="Start a thread").click()
    author.get_by_label("Title").fill("Cargo bike for the food bank")
    author.get_by_label("Context (Markdown)").fill("Can we lend our **cargo bike** to the food bank on Saturdays?")
    screenshot(author, "new-thread")
    author.get_by_role("button", name="Start thread").click()
    expect(author.get_by_role("heading", name="Cargo bike for the food bank")).to_be_visible()
    thread_url = author.url
    screenshot(author, "thread-started")
    wait_until_live(author)

    member = new_page(width=390, height=844)  # a phone
    sign_in(member, live_server, bob)
    member.goto(thread_url)
    box = member.get_by_label("Your comment (Markdown; @handle mentions a member)")
    box.click()
    box.press_sequentially("Yes! @ali")
    expect(member.get_by_role("option", name="@alice Alice Okafor")).to_be_visible()
    screenshot(member, "mention-autocomplete")
    box.press("Enter")
    box.press_sequentially("I can ride it over with the panniers.")
    expect(box).to_have_value("Yes! @alice I can ride it over with the panniers.")
    member.get_by_role("button", name="Post comment").click()
    expect(member.get_by_text("I can ride it over with the panniers.")).to_be_visible()
    wait_until_live(member)

    # the author's page was never reloaded: the comment and the bell arrive over Socket.IO
    expect(author.get_by_text("I can ride it over with the panniers.")).to_be_visible()
    expect(author.locator("[data-unread-count]")).to_have_text("1")
    screenshot(author, "reply-arrived-live")

    # the author reacts to the reply that arrived live, with the one picker the page holds
    author.get_by_role("link", name="React").click()
    screenshot(author, "reaction-picker")
    author.get_by_role("button", name="React with 🎉").click()
    expect(author.get_by_role("button", name="🎉 1")).to_have_attribute("aria-pressed", "true")
    expect(member.get_by_role("button", name="🎉 1")).to_be_visible()  # on the member's phone, live

    author.locator("a.bell").click()
    expect(
        author.get_by_role("link", name="Ben Hartley mentioned you in “Cargo bike for the food bank”")
    ).to_be_visible()
    screenshot(author, "mention-notification")

    author.get_by_role("link", name="Search").first.click()
    author.get_by_label("Search threads and comments").fill("panniers")
    author.get_by_role("button", name="Search").click()
    expect(author.locator(".search-hits mark")).to_have_text("panniers")
    expect(author.get_by_role("link", name="Cargo bike for the food bank")).to_be_visible()
    screenshot(author, "search-finds-it")


def test_deleting_a_comment_asks_first_and_the_comment_keeps_its_place(
    live_server, new_page, screenshot, create_user, create_group
):
    alice = create_user(name="Alice Okafor")
    group = create_group(admin=alice, name="Kirklees Bike Co-op")
    thread = service.start_discussion(actor=alice, group=group, title="Saturday rota")
    first = service.post_comment(actor=alice, discussion=thread, body="I posted this in the wrong thread.")
    service.post_comment(actor=alice, discussion=thread, body="A reply that stays.", parent_id=first.id)
    db.session.commit()

    page = new_page()
    sign_in(page, live_server, alice)
    page.goto(f"{live_server}/d/{thread.id}")
    delete = page.locator(f"#comment-{first.id} > .comment-actions").get_by_role("button", name="Delete")
    page.once("dialog", lambda dialog: dialog.dismiss())
    delete.click()
    expect(page.get_by_text("I posted this in the wrong thread.")).to_be_visible()  # asked, and kept
    page.once("dialog", lambda dialog: dialog.accept())
    delete.click()
    expect(page.locator(f"#comment-{first.id}").get_by_text("This comment was deleted.")).to_be_visible()
    expect(page.get_by_text("A reply that stays.")).to_be_visible()
    screenshot(page, "comment-deleted")
