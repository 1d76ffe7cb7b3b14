"""Locust users for bench/bench_load.py: members of a co-op read threads, comment, vote, pay and search.

Runs in its own venv (.venv-load, bench/requirements-load.txt), never the app's: Locust brings
gevent. bench_load.py seeds the database and starts it with LOAD_SEED (a JSON file of people,
tokens, threads, polls, accounts and search words) and LOAD_HOSTS (the app processes, comma
separated). Each simulated member signs in once and keeps to one process, as a load balancer
with sticky sessions would; the statistics start again once all have signed in. The mix, by weight: read a thread page 10, search 3, comment 3,
vote 2, pay 2.
"""

import itertools
import json
import os
import random
import re
import uuid
from pathlib import Path

from locust import HttpUser, between, task

SEED = json.loads(Path(os.environ["LOAD_SEED"]).read_text())
HOSTS = os.environ["LOAD_HOSTS"].split(",")
CSRF = re.compile(r'name="csrf_token"[^>]*? value="([^"]+)"')
_arrivals = itertools.count()
_signed_in = 0


class Member(HttpUser):
    host = HOSTS[0]
    wait_time = between(0.1, 0.5)

    def on_start(self) -> None:
        n = next(_arrivals)
        self.person = SEED["people"][n % len(SEED["people"])]
        self.client.base_url = HOSTS[n % len(HOSTS)]
        self.bearer = {"Authorization": f"Bearer {self.person['token']}"}
        form = self.client.get("/sign-in", name="sign in")
        fields = {"email": self.person["email"], "password": SEED["password"], "csrf_token": CSRF.search(form.text)[1]}
        with self.client.post("/sign-in", data=fields, name="sign in", allow_redirects=False, catch_response=True) as r:
            if r.status_code != 302:
                r.failure(f"sign-in answered {r.status_code}")
        global _signed_in
        _signed_in += 1
        if _signed_in == self.environment.parsed_options.num_users:
            self.environment.runner.stats.reset_all()  # the figures are the mix alone, from here on

    @task(10)
    def read_thread(self) -> None:
        self.client.get(f"/d/{random.choice(SEED['discussions'])}", name="read a thread (page)")

    @task(3)
    def search(self) -> None:
        self.client.get(
            "/api/v1/search", params={"q": random.choice(SEED["words"])}, headers=self.bearer, name="search (API)"
        )

    @task(3)
    def comment(self) -> None:
        body = {"body": " ".join(random.choices(SEED["words"], k=random.randint(5, 40)))}
        discussion = random.choice(SEED["discussions"])
        self.client.post(
            f"/api/v1/discussions/{discussion}/comments", json=body, headers=self.bearer, name="comment (API)"
        )

    @task(2)
    def vote(self) -> None:
        body = {"choices": {random.choice(["agree", "abstain", "disagree"]): 1}}
        poll = random.choice(SEED["polls"])
        self.client.post(f"/api/v1/polls/{poll}/votes", json=body, headers=self.bearer, name="vote (API)")

    @task(2)
    def pay(self) -> None:
        payee = random.choice([a for a in SEED["accounts"] if a != self.person["account_id"]])
        body = {
            "from_account_id": self.person["account_id"],
            "to_account_id": payee,
            "amount": random.randint(1, 5000),
            "description": "load test",
        }
        headers = self.bearer | {"Idempotency-Key": str(uuid.uuid4())}
        self.client.post("/api/v1/transfers", json=body, headers=headers, name="pay (API)")
