"""The features' parts of the group page (the hub): groups import no feature, so they are wired here.

Each part is a count (a scalar subquery from the feature's queries.py, asked with every other in one statement
by groups.hub.hub_for), where it leads, and, when the count says there are some, a few items to show.
"""

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from .credit import queries as credit_queries
from .forums import queries as forum_queries
from .governance import queries as governance_queries
from .groups.hub import Attention, Section, attention, section
from .skills import queries as skill_queries

section(
    Section(
        key="threads",
        order=10,
        label=_l("Threads"),
        count=forum_queries.threads_count_of,
        url=lambda group: f"/groups/{group.handle}#threads",
    )
)
section(
    Section(
        key="decisions",
        order=20,
        label=_l("Decisions"),
        count=governance_queries.open_polls_count_of,
        url=lambda group: f"/groups/{group.handle}/decisions",
        items=lambda group, counts: {"polls": governance_queries.open_polls_of(group)},
    )
)
section(
    Section(
        key="skills",
        order=30,
        label=_l("Skills"),
        count=skill_queries.open_requests_count_of,
        url=lambda group: f"/groups/{group.handle}/skills",
        items=lambda group, counts: {"requests": skill_queries.open_requests_of(group)},
    )
)


def _credit_items(group, counts) -> dict:
    governs, holds = credit_queries.group_credit(group.id)
    return {"networks": governs, "accounts": holds}


section(
    Section(
        key="credit",
        order=40,
        label=_l("Credit"),
        count=credit_queries.group_credit_count_of,
        url=lambda group: f"/groups/{group.handle}#credit",
        items=_credit_items,
        members_only=True,
        hide_when_empty=True,
    )
)

attention(
    Attention(
        key="votes",
        count=lambda group_id, user_id, role: governance_queries.awaiting_vote_count_of(group_id, user_id, role),
        text=lambda n: ngettext("%(num)d vote is waiting for you", "%(num)d votes are waiting for you", n),
        url=lambda group: f"/groups/{group.handle}/decisions",
    )
)
attention(
    Attention(
        key="applications",
        count=lambda group_id, user_id, role: (
            skill_queries.applications_to_answer_count_of(group_id) if role == "admin" else None
        ),
        text=lambda n: ngettext(
            "%(num)d application to a request is waiting for an answer",
            "%(num)d applications to requests are waiting for an answer",
            n,
        ),
        url=lambda group: f"/groups/{group.handle}/skills",
    )
)
attention(
    Attention(
        key="payment_requests",
        count=lambda group_id, user_id, role: (
            credit_queries.requests_to_pay_count_of(group_id) if role == "admin" else None
        ),
        text=lambda n: ngettext(
            "%(num)d payment request asks the group to pay", "%(num)d payment requests ask the group to pay", n
        ),
        url=lambda group: "/credit/requests",
    )
)
