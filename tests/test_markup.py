"""User Markdown becomes safe HTML: nothing that runs survives, mentions become links."""

import pytest

from platform6.markup import find_mentions, plain_text, render_markdown

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<div style="background:url(javascript:alert(1))" onclick="x()">hi</div>',
    "<object data='x'></object><embed src='x'>",
    "[x](JaVaScRiPt:alert(1))",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_nothing_that_runs_survives(attack):
    html = render_markdown(attack).lower()
    for forbidden in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "<iframe",
        "<svg",
        "<object",
        "<embed",
        "data:text",
    ):
        assert forbidden not in html, (attack, html)


def test_ordinary_markdown_renders():
    html = render_markdown("# Title\n\n**bold** and _it_ with a [link](https://example.org)\n\n- one\n- two")
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer">link</a>' in html
    assert "<li>one</li>" in html


def test_mentions_become_links_and_are_found():
    text = "Thanks @Alice and @bob_2! Mail me at x@example.org"
    html = render_markdown(text)
    assert '<a class="mention" href="/people/alice"' in html or '<a href="/people/alice" class="mention"' in html
    assert find_mentions(text) == {"alice", "bob_2"}


def test_plain_text_previews_are_short():
    assert plain_text("**Hello** _there_") == "Hello there"
    assert len(plain_text("word " * 100, limit=50)) == 50
