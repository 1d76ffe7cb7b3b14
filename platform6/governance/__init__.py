"""Decisions: polls of every kind, votes, tallies, outcomes and binding actions."""
