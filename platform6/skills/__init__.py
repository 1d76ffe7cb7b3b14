"""The skills board: profiles, skills, requests, matching and applications."""
