"""The test playing a Platform 6 neighbour of a node under test, in-process through Flask's test client."""

import json
import uuid as uuidlib
from types import SimpleNamespace

from platform6.extensions import db
from platform6.federation import client, hashing, signing, wire

GENESIS, SECRET = "0123456789abcdef0123456789abcdef", "shared-secret"


class Peer:
    """The test playing a neighbour of the node: it keeps its own copy of the link's head and signs like P6."""

    def __init__(self, http, node: str, name: str, path: list[str]):
        self.http, self.node, self.name, self.path, self.head = http, node, name, path, GENESIS

    def call(self, method, route, body=b"", head=None, secret=SECRET, name=None):
        path = f"/cc/{self.node}/{route}"
        headers = wire.auth_headers(profile="p6", our_name=name or self.name, our_path=self.path,
                                    head=self.head if head is None else head)  # fmt: skip
        headers[signing.HEADER] = signing.sign(secret, method=method, path=path, body=body)
        response = self.http.open(path, method=method, data=body, headers=headers)
        db.session.expire_all()
        return response

    def relay(self, payer, payee, quant, uuid=None, **kw):
        uuid = uuid or str(uuidlib.uuid4())
        body = json.dumps({"uuid": uuid, "state": "V", "workflow": "|P-PC+CX+", "entries": [
            {"payer": payer, "payee": payee, "quant": quant, "description": "Bread", "metadata": {}}]}).encode()  # fmt: skip
        return uuid, self.call("POST", "transaction/relay", body, **kw)

    def complete(self, uuid, entries, **kw):
        answer = self.call("PATCH", f"transaction/{uuid}/C", **kw)
        if answer.status_code == 201:  # our side of the chain advances as the node's did
            self.head = hashing.link_hash("p6", self.head, uuid=uuid, state="completed", entries=entries, version=1,
                                          decimals=2)  # fmt: skip
        return answer


def entries(quant):
    return [{"payer": "ocn/kirklees/ellie", "payee": "ocn/leeds/bob", "quant": quant, "description": "Bread"}]


class FakeTrunk:
    """Answers our calls to ocn: per (method, last path segment kind) a status and body, or None for silence."""

    def __init__(self):
        self.answers = {"POST": (200, b'{"data": []}'), "PATCH": (201, b""), "GET": (404, b"")}
        self.calls = []

    def __call__(self, method, url, **kw):
        self.calls.append((method, url.split("/cc/ocn/", 1)[1]))
        answer = self.answers[method]
        if answer is None:
            raise client.requests.ConnectionError("refused")
        return SimpleNamespace(status_code=answer[0], content=answer[1], text=answer[1].decode())
