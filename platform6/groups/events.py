"""Which changes to groups may end someone's place in a socket room (realtime asks the rooms again at commit)."""

from ..realtime import access_may_end
from .models import Group, Membership
from .permissions import forget_memberships

access_may_end(
    Membership, "group_id", "user_id", person=lambda membership: membership.user_id, forget=forget_memberships
)
access_may_end(Group, "privacy", "parent_id")
