"""Demo skills board: profiles for the demo people and the Platform 6 group's requests (idempotent)."""

from sqlalchemy import select

from ..extensions import db
from . import queries, service
from .models import SkillRequest

PROFILES = {
    # person: (skills, languages, location, remote_ok, hours a week, bio)
    "alice": ([("Co-operative development", 4), ("Facilitation", 3), ("Project management", 3)], ["en"], "Manchester", True, 4,
              "Runs Platform 6's matching of volunteers to co-ops."),
    "ben": ([("Bookkeeping", 4), ("Spreadsheets", 4), ("Mutual credit", 3)], ["en"], "Huddersfield", False, 3,
            "Keeps the books for two food co-ops."),
    "chiara": ([("Italian", 5), ("Translation", 4), ("Copywriting", 3)], ["it", "en"], "Bologna", True, 5,
               "Translator; co-op member in Bologna and Leeds."),
    "dev": ([("Sysadmin", 4), ("Docker", 4), ("Mastodon", 3), ("Linux", 4)], ["en", "pa"], "Leeds", True, 6,
            "Self-hosts everything. Happy to set up fediverse servers for co-ops."),
    "ellie": ([("Video editing", 4), ("Subtitles", 3), ("Motion graphics", 2)], ["en"], "Kirklees", True, 8,
              "Freelance editor; cuts short films for campaigns."),
    "farid": ([("Arabic", 5), ("Translation", 3), ("Community organising", 3)], ["ar", "en", "fr"], "Bradford", True, 4,
              "Organiser and translator."),
    "grace": ([("Facilitation", 5), ("Sociocracy", 4), ("Conflict resolution", 3)], ["en", "sw"], "London", True, 3,
              "Facilitates co-op meetings and trains others to."),
    "ines": ([("Graphic design", 4), ("Branding", 3), ("Portuguese", 5)], ["pt", "en"], "Lisbon", True, 5,
             "Designer for social enterprises."),
    "kwame": ([("Video production", 4), ("Photography", 4), ("Video editing", 2)], ["en"], "Leeds", False, 4,
              "Films events and interviews."),
}  # fmt: skip

REQUESTS = [
    # author, title, description, [(skill, level, required)], hours, languages, remote_ok, location, volunteers, reward
    ("alice", "Edit our two-minute launch video",
     "We filmed interviews with member co-ops and need a **two-minute** cut with subtitles for social media.",
     [("Video editing", 3, True), ("Subtitling", 2, False)], 12, ["en"], True, "", 1, 2500),
    ("alice", "Set up a Mastodon instance for the network",
     "A small Mastodon server for the co-ops in the network, with backups and a moderation plan.",
     [("Mastodon", 3, True), ("Server administration", 3, True), ("Docker", 2, False),
      ("Community moderation", 2, False)], 20, ["en"], True, "", 1, None),
    ("grace", "Speak Italian on a call with a Bologna co-op",
     "An hour's call with a social co-op in Bologna about their care model; we need someone to interpret.",
     [("Italian", 4, True), ("Interpreting", 2, False)], 2, ["it", "en"], True, "", 1, None),
]  # fmt: skip


def _reward(author, group, amount: int | None) -> dict:
    """A reward from the group's credit account, when the credit demo gave it one."""
    from ..credit import queries as credit_queries

    if amount is None:
        return {}
    for account in credit_queries.accounts_of_user(author):
        if account.holder_type == "group" and account.holder_id == group.id:
            return {"reward_account_id": account.id, "reward_amount": amount}
    return {}


def seed(story: dict) -> None:
    users = story["users"]
    for handle, (skills, languages, location, remote_ok, hours, bio) in PROFILES.items():
        user = users[handle]
        if queries.profile_of(user.id) is not None:
            continue
        service.update_profile(
            actor=user,
            bio=bio,
            location=location,
            remote_ok=remote_ok,
            availability_hours_per_week=hours,
            languages=languages,
            public=handle in ("dev", "ellie"),
        )
        service.set_skills(actor=user, skills=skills)
    group = story["groups"]["platform6"]
    made = 0
    for author, title, description, skills, hours, languages, remote_ok, location, volunteers, reward in REQUESTS:
        exists = db.session.scalar(
            select(SkillRequest.id).where(SkillRequest.group_id == group.id, SkillRequest.title == title)
        )
        if exists is None:
            service.post_request(
                actor=users[author],
                group=group,
                title=title,
                description=description,
                skills=[service.WantedSkill(name, level, required) for name, level, required in skills],
                hours_estimate=hours,
                languages=languages,
                remote_ok=remote_ok,
                location=location,
                volunteers_needed=volunteers,
                **_reward(users[author], group, reward),
            )
            made += 1
    story.setdefault("summary", {})["skill_requests"] = made
