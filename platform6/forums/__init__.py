"""Discussions: threads, comments, replies, mentions, reactions, read state and search."""
