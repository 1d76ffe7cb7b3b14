"""Groups (co-ops, networks, working groups), subgroups, memberships, join requests and invitations."""
