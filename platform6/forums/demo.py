"""Demo threads: a public forum in Platform 6 (open), and members-only threads in OCN and Kirklees."""

from sqlalchemy import select

from ..extensions import db
from . import service
from .models import Discussion

# group key, author, title, context, [(author, body, reply to the comment at this index or None), ...], pinned
THREADS = [
    ("platform6", "alice", "Welcome to the Platform 6 forum",
     "This forum is **public**: anyone can read it, members can post. Introduce yourself below and say "
     "what you could help a co-op with, or what your co-op needs.",
     [("ben", "Hello! I edit video and could help a co-op make a short film about its work.", None),
      ("chiara", "Ciao, I speak Italian and English and can translate for co-ops working with Italian partners.", None),
      ("alice", "Welcome both! @ben the Kirklees network asked about a film last month.", 0),
      ("dev", "I have set up a few Mastodon instances, happy to help anyone who wants their own.", None)],
     True),
    ("platform6", "farid", "Setting up a Mastodon instance for a housing co-op",
     "A housing co-op in Leeds wants its own Mastodon instance. Who has done this and what did it cost to run?",
     [("dev", "About £10 a month on a small VPS for under 100 accounts. I can walk you through it.", None),
      ("farid", "Great, thank you @dev. Could we do a call next week?", 0),
      ("grace", "Worth budgeting for backups of the media storage too.", None)],
     False),
    ("ocn", "jo", "Credit limits for new members",
     "Should new members start with a lower credit limit for their first three months? Opinions please before "
     "we put it to a decision.",
     [("lena", "Yes, a lower limit at first feels fair and protects everyone.", None),
      ("hamish", "Agreed, as long as it rises automatically after three months of trading.", 0),
      ("kwame", "Could the limit rise with the number of trades instead of months?", None)],
     False),
    ("kirklees", "hamish", "Huddersfield market stall in March",
     "We have a free stall at the Huddersfield market on the first Saturday of March. Who can staff it?",
     [("ellie", "I can do the morning.", None), ("ben", "Afternoon for me, and I'll bring the banner.", None)],
     False),
]  # fmt: skip


def seed(story: dict) -> None:
    users, groups = story["users"], story["groups"]
    for group_key, author, title, context, comments, pinned in THREADS:
        group = groups[group_key]
        exists = db.session.scalar(
            select(Discussion.id).where(Discussion.group_id == group.id, Discussion.title == title)
        )
        if exists:
            continue
        discussion = service.start_discussion(actor=users[author], group=group, title=title, description=context)
        posted = []
        for who, body, reply_to in comments:
            parent_id = posted[reply_to].id if reply_to is not None else None
            posted.append(service.post_comment(actor=users[who], discussion=discussion, body=body, parent_id=parent_id))
        if pinned:
            service.update_discussion(actor=users[author], discussion=discussion, pinned=True)
    story.setdefault("summary", {})["threads"] = len(THREADS)
