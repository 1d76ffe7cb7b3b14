"""The JSON shape of profiles, requests, applications, matches and saved searches."""

from ..timeutil import iso
from . import queries
from .models import Application, Profile, SavedSearch, SkillRequest


def profile_json(user, profile: Profile | None, skills=None, endorsements=None) -> dict:
    skills = queries.profile_skills(user.id) if skills is None else skills
    endorsements = queries.endorsement_counts(user.id) if endorsements is None else endorsements
    return {
        "user": {"id": user.id, "name": user.name},
        "bio": profile.bio if profile else "",
        "location": profile.location if profile else "",
        "remote_ok": profile.remote_ok if profile else True,
        "availability_hours_per_week": profile.availability_hours_per_week if profile else None,
        "languages": profile.language_list if profile else [],
        "interests": profile.interests if profile else "",
        "public": profile.public if profile else False,
        "skills": [
            {
                "name": row.skill.name,
                "level": row.level,
                "category": row.skill.category,
                "endorsements": endorsements.get(row.skill_id, 0),
            }
            for row in skills
        ],
    }


def request_json(r: SkillRequest) -> dict:
    return {
        "id": r.id,
        "group_id": r.group_id,
        "group": {"id": r.group.id, "handle": r.group.handle, "name": r.group.name},
        "author": {"id": r.author.id, "name": r.author.name} if r.author else None,
        "title": r.title,
        "description": r.description,
        "description_html": r.description_html,
        "skills": [{"name": rs.skill.name, "level": rs.level, "required": rs.required} for rs in r.skills],
        "hours_estimate": r.hours_estimate,
        "deadline": iso(r.deadline),
        "location": r.location,
        "remote_ok": r.remote_ok,
        "languages": r.language_list,
        "reward": {"account_id": r.reward_account_id, "amount": r.reward_amount} if r.reward_account_id else None,
        "volunteers_needed": r.volunteers_needed,
        "accepted_count": r.accepted_count,
        "state": r.state,
        "closed_reason": r.closed_reason,
        "created_at": iso(r.created_at),
        "expires_at": iso(r.expires_at),
        "completed_at": iso(r.completed_at),
    }


def application_json(a: Application, user=None) -> dict:
    user = user or a.user
    return {
        "id": a.id,
        "request_id": a.request_id,
        "user": {"id": user.id, "name": user.name},
        "state": a.state,
        "message": a.message,
        "invited": a.invited,
        "created_at": iso(a.created_at),
        "decided_at": iso(a.decided_at),
    }


def match_json(match) -> dict:
    return {
        "score": match.score,
        "matched": list(match.matched),
        "missing": list(match.missing),
        "complete": match.complete,
        "partial": match.partial,
    }


def search_json(s: SavedSearch) -> dict:
    return {
        "id": s.id,
        "q": s.q,
        "skill": s.skill_key,
        "remote_ok": s.remote_ok,
        "group_id": s.group_id,
        "created_at": iso(s.created_at),
    }
