"""Issue 14 and 15 on the credit pages: money reads the same everywhere, in the reader's language; the payee is
picked by name from the networks the payer can pay into; a page in Italian keeps no English of credit's."""

import html
import re
from functools import cache

import pytest
from babel.messages.extract import extract_from_dir

from platform6.credit import service
from platform6.credit.models import Account
from platform6.extensions import db


def _speaks(user, locale: str) -> None:
    """The reader's own setting decides their language (before the browser's Accept-Language)."""
    user.locale = locale
    db.session.commit()


@pytest.fixture
def pounds(create_user, create_group, open_account):
    """A network in pounds; Alice owes £238.40 to Ben."""
    admin = create_user(name="Ada")
    network = service.create_network(
        actor=admin, name="Rete OCN", group_id=create_group(admin=admin).id, currency_code="OCN",
        currency_name="Co-op pounds", currency_symbol="£", currency_decimals=2, default_credit_limit=100_000,
    )  # fmt: skip
    db.session.commit()
    network.admin = admin
    alice, ben = (
        open_account(network, holder=create_user(name="Alice")),
        open_account(network, holder=create_user(name="Ben")),
    )
    service.transfer(from_account_id=alice.id, to_account_id=ben.id, amount=23_840, description="Rent", actor=None)
    db.session.commit()
    return network, alice, ben


def _text(response) -> str:
    """What a reader sees: the page without its tags, scripts and styles, entities decoded, spaces plain."""
    assert response.status_code in (200, 422), response.status_code
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)).replace("\xa0", " "))


def test_the_same_amount_reads_as_each_language_writes_money(client, login, pounds):
    _network, alice, _ben = pounds
    login(alice.holder)
    english = _text(client.get(f"/credit/accounts/{alice.id}"))
    _speaks(alice.holder, "it")
    italian = _text(client.get(f"/credit/accounts/{alice.id}"))
    assert "-£238.40" in english and "£1,000.00" in english  # balance, credit limit
    assert "-238,40 £" in italian and "1.000,00 £" in italian
    assert "238.40" not in italian.replace("-£238.40", "")


def test_statistics_and_directory_show_money_never_bare_numbers(client, login, pounds):
    network, _alice, _ben = pounds
    login(network.admin)
    stats = _text(client.get(f"/credit/networks/{network.id}"))
    assert "Volume, all time £238.40" in stats and "Money supply £238.40" in stats
    directory = _text(client.get(f"/credit/networks/{network.id}/accounts"))
    assert "-£238.40" in directory and "£761.60" in directory
    _speaks(network.admin, "it")
    italian = _text(client.get(f"/credit/networks/{network.id}"))
    assert "Volume, da sempre 238,40 £" in italian


@pytest.fixture
def networks(create_user, create_group, make_network, open_account):
    """Pat holds an account in National. Local (under National) is governed by a group Pat belongs to; Hidden (also
    under National) by one Pat does not; Other is a network of its own whose group Pat belongs to."""
    admin, pat = create_user(name="Ada"), create_user(name="Pat Payer")
    national = make_network(admin=admin, name="National", code="NAT")
    local = make_network(
        admin=admin, group=create_group(admin=admin, members=[pat]), parent=national, name="Local", code="LOC"
    )
    hidden = make_network(admin=admin, parent=national, name="Hidden", code="HID")
    other = make_network(admin=admin, group=create_group(admin=admin, members=[pat]), name="Other", code="OTH")
    held = {
        "pat": open_account(national, holder=pat, credit_limit=100_000),
        "ann": open_account(national, holder=create_user(name="Ann National")),
        "fred": open_account(national, holder=create_user(name="Fred Frozen")),
        "lou": open_account(local, holder=create_user(name="Lou Local")),
        "hal": open_account(hidden, holder=create_user(name="Hal Hidden")),
        "olga": open_account(other, holder=create_user(name="Olga Other")),
    }
    service.set_status(account_id=held["fred"].id, status="frozen", actor=None)
    db.session.commit()
    return pat, held


def _options(page: str) -> dict[str, str]:
    picker = page.split('name="to_account_id"')[1].split("</select>")[0]
    return {value: label for value, label in re.findall(r'<option[^>]*value="(\d+)"[^>]*>([^<]*)</option>', picker)}


def test_the_payee_picker_lists_the_accounts_the_payer_can_pay_into(client, login, networks):
    pat, held = networks
    login(pat)
    page = client.get("/credit/pay").get_data(as_text=True)
    listed = _options(page)
    assert {int(value) for value in listed} == {held[k].id for k in ("pat", "ann", "lou")}
    assert listed[str(held["lou"].id)] == f"Lou Local · #{held['lou'].id}"
    assert '<optgroup label="National (NAT)">' in page and '<optgroup label="Local (LOC)">' in page
    for stranger in ("Fred Frozen", "Hal Hidden", "Olga Other"):
        assert stranger not in page
    assert "to (account number)" not in page
    found = _options(client.get("/credit/pay?q=lou").get_data(as_text=True))
    assert list(found) == [str(held["lou"].id)]


def test_a_payee_picked_in_another_network_is_confirmed_with_both_currencies_named(client, login, networks):
    pat, held = networks
    login(pat)
    data = {
        "from_account_id": held["pat"].id,
        "to_account_id": held["lou"].id,
        "amount": "5.00",
        "idempotency_key": "k",
    }
    confirmation = _text(client.post("/credit/pay", data=data))
    i = confirmation.find("Pay §")
    assert "Pay §5.00 NAT to Lou Local from your National account?" in confirmation, ascii(confirmation[i : i + 80])
    assert "receives its value in LOC" in confirmation


def test_an_account_number_is_still_read_by_the_pay_form(client, login, networks):
    pat, held = networks
    login(pat)
    response = client.get(f"/credit/pay?to={held['hal'].id}")  # a number given by a link, in no listed network
    assert f'<option selected value="{held["hal"].id}">Account #{held["hal"].id}</option>' in response.get_data(
        as_text=True
    )
    data = {
        "from_account_id": held["pat"].id,
        "to_account_id": held["hal"].id,
        "amount": "1.00",
        "idempotency_key": "n",
    }
    assert client.post("/credit/pay", data=data).status_code == 200  # routing reaches it: shown for confirmation
    assert db.session.get(Account, held["pat"].id).balance == 0


@cache
def _credit_msgids() -> frozenset[str]:
    """Every string of the credit feature marked for translation, as the catalogue extracts them."""
    found = extract_from_dir(
        ".",
        method_map=[("platform6/credit/**.py", "python"), ("templates/credit/**.html", "jinja2")],
        options_map={"templates/credit/**.html": {"extensions": "jinja2.ext.do"}},
        keywords={"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)},
    )
    return frozenset(message if isinstance(message, str) else message[0] for _f, _l, message, _c, _x in found)


def _english_left(text: str) -> list[str]:
    """The credit msgids a page still shows in English: each whole sentence or label, placeholders aside."""
    left = []
    for msgid in _credit_msgids():
        pieces = [p.strip() for p in re.split(r"%\(\w+\)[sd]|<[^>]+>", msgid) if len(p.strip()) > 3]
        for piece in pieces:
            if re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", text):
                left.append(piece)
    return left


def test_credit_pages_in_italian_keep_no_english(client, login, pounds, networks):
    network, alice, _ben = pounds
    pat, held = networks
    transfer = service.transfer(from_account_id=held["pat"].id, to_account_id=held["lou"].id, amount=250,
                                description="Pane", actor=None)  # fmt: skip
    db.session.commit()
    _speaks(network.admin, "it")
    _speaks(pat, "it")
    login(network.admin)
    pages = [
        f"/credit/accounts/{alice.id}",
        f"/credit/networks/{network.id}",
        f"/credit/networks/{network.id}/accounts",
        f"/credit/networks/{network.id}/accounts/new",
        "/credit/networks/new",
    ]
    seen = {path: _text(client.get(path)) for path in pages}
    client.post("/sign-out")
    login(pat)
    for path in ("/credit/", "/credit/pay", "/credit/requests", "/credit/requests/new", f"/credit/accounts/{held['pat'].id}",
                 f"/credit/transfers/{transfer.id}", "/dashboard"):  # fmt: skip
        seen[path] = _text(client.get(path))
    data = {
        "from_account_id": held["pat"].id,
        "to_account_id": held["lou"].id,
        "amount": "5,00",
        "idempotency_key": "i",
    }
    seen["confirm"] = _text(client.post("/credit/pay", data=data))
    refused = data | {"amount": "9999,00", "idempotency_key": "j"}
    seen["refused"] = _text(client.post("/credit/pay", data=refused))
    assert "Paga" in seen["/credit/pay"] and "Pagare 5,00 § NAT a Lou Local dal tuo conto National?" in seen["confirm"]
    assert {path: _english_left(text) for path, text in seen.items() if _english_left(text)} == {}
    _speaks(pat, "en")
    assert "Pay to" in _english_left(_text(client.get("/credit/pay")))  # the check finds English where it is
