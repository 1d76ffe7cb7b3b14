"""The labelled matching set: 30+ requests x 200+ profiles, with the people a co-op would pick marked.

`python -m tests.skills.labelled_set` rewrites data/labelled_set.json (deterministic seed). How it is made:
each profile has latent skills with true levels, but lists them the way people type them: a synonym,
odd case and spacing, a plural. A co-op would pick someone (`picks`) who truly has every required skill
at the asked level, speaks one of the request's languages, and can work where the request is (remote
when both allow it, else the same town). Near misses are planted on purpose: the right skills at too low
a level, only the nice-to-haves, the wrong language, the wrong town, and lookalike names of other
skills ("childhood development" next to "software development").
"""

import json
import random
from pathlib import Path

from platform6.skills.taxonomy import taxonomy

PATH = Path(__file__).resolve().parent / "data" / "labelled_set.json"
TOWNS = ["Leeds", "Bradford", "Huddersfield", "Manchester", "Bologna", "Lisbon", "Glasgow", "Cardiff"]
LANGS = ["en", "it", "es", "fr", "pt", "de", "ar", "cy"]
LOOKALIKES = {
    "software development": "early childhood development",
    "web development": "community development",
    "data analysis": "conflict analysis",
    "graphic design": "curriculum design",
    "server administration": "office administration",
    "video production": "food production",
}


def _surface(rng: random.Random, key: str) -> str:
    """How a person might type the skill: its name or a synonym, with case, spacing and plural noise."""
    entry = taxonomy().entry(key)
    text = rng.choice([entry.name, *entry.synonyms]) if entry.synonyms and rng.random() < 0.6 else entry.name
    roll = rng.random()
    if roll < 0.25:
        text = text.upper()
    elif roll < 0.5:
        text = text.lower()
    if rng.random() < 0.2:
        text = "  " + text.replace(" ", "  ") + " "
    if rng.random() < 0.15 and text.strip()[-1:].isalpha() and not text.strip().endswith("s"):
        text = text.rstrip() + "s"
    return text


def _fits(request: dict, person: dict) -> bool:
    held = person["latent"]
    if any(held.get(s["key"], 0) < s["level"] for s in request["skills"] if s["required"]):
        return False
    if request["languages"] and not set(request["languages"]) & set(person["languages"]):
        return False
    if request["remote_ok"] and person["remote_ok"]:
        return True
    return request["location"] == person["location"]


def generate(seed: int = 6, n_requests: int = 32, n_profiles: int = 240) -> dict:
    rng = random.Random(seed)
    tax = taxonomy()
    pool = sorted(k for k, e in tax.entries.items() if e.category not in ("Languages & translation",))
    requests = []
    for rid in range(1, n_requests + 1):
        required = rng.sample(pool, rng.choice([1, 2, 2, 3]))
        nice = rng.sample([k for k in pool if k not in required], rng.choice([0, 1, 2]))
        remote = rng.random() < 0.6
        requests.append(
            {
                "id": rid,
                "skills": [{"key": k, "level": rng.choice([2, 3, 3, 4]), "required": True} for k in required]
                + [{"key": k, "level": rng.choice([1, 2, 3]), "required": False} for k in nice],
                "languages": rng.choice([[], ["en"], ["en"], ["it"], ["es", "en"], ["fr"]]),
                "location": rng.choice(TOWNS),
                "remote_ok": remote,
                "hours_estimate": rng.choice([2, 5, 10, 20, 40]),
            }
        )
    people = []

    def person(latent: dict, languages: list, location: str, remote_ok: bool) -> dict | None:
        if not latent:
            return None
        pid = len(people) + 1
        people.append({"id": pid, "latent": latent, "languages": languages, "location": location, "remote_ok": remote_ok,
                       "hours_per_week": rng.choice([None, 2, 5, 10, 20])})  # fmt: skip
        return people[-1]

    def lang_for(request):
        return sorted({*rng.sample(request["languages"], 1), "en"}) if request["languages"] else ["en"]

    for request in requests:
        req = [s for s in request["skills"] if s["required"]]
        nice = [s for s in request["skills"] if not s["required"]]
        place = (request["location"], request["remote_ok"])
        for _ in range(rng.randint(3, 6)):  # good fits
            latent = {s["key"]: rng.randint(s["level"], 5) for s in req}
            latent.update({s["key"]: rng.randint(1, 5) for s in nice if rng.random() < 0.5})
            latent.update({k: rng.randint(1, 5) for k in rng.sample(pool, rng.randint(0, 3))})
            person(
                latent,
                lang_for(request),
                place[0] if rng.random() < 0.5 else rng.choice(TOWNS),
                place[1] or rng.random() < 0.5,
            )
        for _ in range(rng.randint(2, 4)):  # the right skills, too low a level, but every nice-to-have
            latent = {s["key"]: max(1, s["level"] - rng.randint(1, 2)) for s in req}
            latent.update({s["key"]: 5 for s in nice})
            person(latent, lang_for(request), place[0], True)
        for _ in range(rng.randint(1, 3)):  # all but one required skill, plus lookalikes and nice-to-haves
            latent = {s["key"]: 5 for s in req[1:]} | {s["key"]: 5 for s in nice}
            look = LOOKALIKES.get(req[0]["key"])
            if look and tax.key_of(look) in tax.entries:
                latent[tax.key_of(look)] = 5
            person(latent, lang_for(request), place[0], True)
        if request["languages"] and "en" not in request["languages"]:
            for _ in range(2):  # wrong language
                person({s["key"]: 5 for s in request["skills"]}, ["de"], place[0], True)
        if not request["remote_ok"]:
            for _ in range(2):  # wrong town
                person(
                    {s["key"]: 5 for s in request["skills"]},
                    lang_for(request),
                    rng.choice([t for t in TOWNS if t != place[0]]),
                    True,
                )
    while len(people) < n_profiles:  # everyone else
        person({k: rng.randint(1, 5) for k in rng.sample(pool, rng.randint(2, 6))}, rng.sample(LANGS, rng.randint(1, 2)),
               rng.choice(TOWNS), rng.random() < 0.7)  # fmt: skip
    order = list(range(len(people)))
    rng.shuffle(order)  # ids carry no hint of who was planted for what
    for new_id, index in enumerate(order, start=1):
        people[index]["id"] = new_id
    people.sort(key=lambda p: p["id"])
    out_requests = []
    for request in requests:
        picks = sorted(p["id"] for p in people if _fits(request, p))
        out_requests.append(
            {
                "id": request["id"],
                "skills": [{"name": _surface(rng, s["key"]).strip(), "level": s["level"], "required": s["required"]} for s in request["skills"]],
                "languages": request["languages"],
                "location": request["location"],
                "remote_ok": request["remote_ok"],
                "hours_estimate": request["hours_estimate"],
                "picks": picks,
            }
        )  # fmt: skip
    out_people = [
        {
            "id": p["id"],
            "skills": [{"name": _surface(rng, k), "level": lvl} for k, lvl in sorted(p["latent"].items())],
            "languages": p["languages"],
            "location": p["location"],
            "remote_ok": p["remote_ok"],
            "hours_per_week": p["hours_per_week"],
        }
        for p in people
    ]
    return {"about": __doc__.strip().splitlines()[0], "requests": out_requests, "profiles": out_people}


def load() -> dict:
    return json.loads(PATH.read_text(encoding="utf-8"))


if __name__ == "__main__":
    PATH.write_text(json.dumps(generate(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    data = load()
    print(f"{len(data['requests'])} requests x {len(data['profiles'])} profiles -> {PATH}")
