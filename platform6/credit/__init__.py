"""Mutual credit: networks, accounts, transfers, payment requests, routing between networks, statistics."""
