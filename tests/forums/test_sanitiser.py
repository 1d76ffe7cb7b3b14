"""Thread and comment Markdown is sanitised once on write: nothing executable survives into *_html."""

import re

import pytest

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](  javascript:alert(1))",
    '<a href="&#106;avascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<div style="background:url(javascript:alert(1))" onclick="alert(1)">x</div>',
    '<p onmouseover="alert(1)">hover</p>',
    "<object data=evil.swf></object><embed src=evil.swf>",
    '<form action="https://evil.example"><input name=x></form>',
    "<style>body{display:none}</style>",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    "```\n<script>alert(1)</script>\n```",
]
FORBIDDEN = re.compile(
    r"<script|<iframe|<svg|<object|<embed|<form|<style|<math|javascript:|\son\w+\s*=|data:text", re.I
)


@pytest.mark.parametrize("attack", ATTACKS)
def test_nothing_executable_survives_in_comments_and_threads(api, create_user, create_group, attack):
    alice = create_user()
    group = create_group(admin=alice)
    thread = api.post(f"/groups/{group.id}/discussions", {"title": "t", "description": attack}, user=alice).get_json()
    assert not FORBIDDEN.search(thread["description_html"]), thread["description_html"]
    comment = api.post(f"/discussions/{thread['id']}/comments", {"body": attack}, user=alice).get_json()
    assert not FORBIDDEN.search(comment["body_html"]), comment["body_html"]
    edited = api.patch(f"/comments/{comment['id']}", {"body": attack + " edited"}, user=alice).get_json()
    assert not FORBIDDEN.search(edited["body_html"]), edited["body_html"]


def test_the_thread_page_prints_only_sanitised_html(client, api, create_user, create_group):
    alice = create_user()
    group = create_group(admin=alice, privacy="open")
    thread = api.post(f"/groups/{group.id}/discussions", {"title": "<script>t</script>"}, user=alice).get_json()
    api.post(f"/discussions/{thread['id']}/comments", {"body": "<img src=x onerror=alert(1)>"}, user=alice)
    html = client.get(f"/d/{thread['id']}").get_data(as_text=True)
    assert "<script>t</script>" not in html and "&lt;script&gt;t&lt;/script&gt;" in html
    assert "onerror" not in html
