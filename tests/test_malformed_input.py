"""Malformed input answers 4xx with the API's error body or a page's error, never a 500 (issue 11, hole 9)."""

import base64
import json

import pytest
from sqlalchemy import func, select, update

from platform6.credit import service as credit
from platform6.credit.models import Network, Transfer
from platform6.extensions import db
from platform6.forums.models import Discussion
from platform6.groups.models import Group
from platform6.limits import MAX_INT, MAX_JSON_DEPTH, whole_number
from tests.credit.conftest import make_network, open_account  # noqa: F401 - fixtures

NESTED_600 = '{"name": "Deep", "x": ' + "[" * 600 + "]" * 600 + "}"


def _error(response) -> dict:
    return response.get_json()["error"]


# --- JSON bodies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status"), [(NESTED_600, 422), ("[" * 100_000 + "]" * 100_000, 400), ('{"name": "ok\\u0000"}', 422)]
)
def test_absurdly_nested_json_is_refused_in_the_error_body(api, create_user, body, status):
    me = create_user()
    response = api.call("POST", "/groups", data=body, user=me, headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert _error(response)["code"] == ("validation_failed" if status == 422 else "bad_request")
    assert db.session.scalar(select(func.count()).select_from(Group)) == 0


def test_json_nested_to_the_limit_still_reaches_the_validation(api, create_user):
    nested = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    response = api.call(
        "POST",
        "/groups",
        data=f'{{"name": {nested}}}',
        user=create_user(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422 and "name" in _error(response)["fields"]


# --- moments and dates -------------------------------------------------------------------------

FAR_FUTURE = "9999-12-31T23:59:59-05:00"  # its UTC time is in year 10000


def test_a_closing_time_past_year_9999_in_utc_is_refused_on_the_field(api, create_user, create_group):
    me = create_user()
    group = create_group(admin=me)
    body = {"kind": "proposal", "title": "Far away", "closing_at": FAR_FUTURE}
    response = api.post(f"/groups/{group.id}/polls", body, user=me)
    assert response.status_code == 422 and "closing_at" in _error(response)["fields"]
    body["closing_at"] = "2999-12-31T23:59:59Z"
    assert api.post(f"/groups/{group.id}/polls", body, user=me).status_code == 201


def test_a_deadline_past_year_9999_in_utc_is_refused_on_the_field(api, create_user, create_group):
    me = create_user()
    group = create_group(admin=me)
    body = {"title": "Film us", "skills": [{"name": "Video editing"}], "deadline": FAR_FUTURE}
    response = api.post(f"/groups/{group.id}/requests", body, user=me)
    assert response.status_code == 422 and "deadline" in _error(response)["fields"]


def test_a_poll_page_with_a_closing_time_beyond_any_plan_is_refused_on_the_form(
    client, login, create_user, create_group
):
    me = login(create_user())
    group = create_group(admin=me)
    form = {"kind": "proposal", "title": "Far away", "closing_at": "9999-12-31T23:59"}
    response = client.post(f"/groups/{group.handle}/decisions/new", data=form)
    assert response.status_code == 422 and "Give a time between the years" in response.get_data(as_text=True)


# --- statements --------------------------------------------------------------------------------


@pytest.fixture
def member_account(make_network, open_account, create_user):  # noqa: F811
    network = make_network(default_credit_limit=10_000)
    holder = create_user()
    account = open_account(network, holder=holder)
    return network, account, holder


def test_a_statement_to_year_9999_answers_422_on_the_api_and_400_on_the_page(api, client, login, member_account):
    _, account, holder = member_account
    response = api.get(f"/accounts/{account.id}/statement.csv?to=9999-12-31", user=holder)
    assert response.status_code == 422 and "to" in _error(response)["fields"]
    login(holder)
    assert client.get(f"/credit/accounts/{account.id}/statement.csv?end=9999-12-31").status_code == 400
    assert client.get(f"/credit/accounts/{account.id}/statement.csv?start=0001-01-01").status_code == 400
    assert client.get(f"/credit/accounts/{account.id}/statement.csv?end=2999-12-31").status_code == 200


# --- cursors and integer arguments -------------------------------------------------------------


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor([False, "2026-01-01T00:00:00", 2**63]),
        _cursor([False, "2026-01-01T00:00:00", -(2**64)]),
        _cursor([False, "2026-01-01T00:00:00+05:00", 1]),
        _cursor([1, "2026-01-01T00:00:00", 1]),
        _cursor([False, ["2026"], 1]),
        _cursor([[[[]]]]),
    ],
)
def test_a_cursor_with_values_out_of_range_or_of_the_wrong_type_answers_422(api, create_user, create_group, cursor):
    me = create_user()
    group = create_group(admin=me)
    response = api.get(f"/groups/{group.id}/discussions?cursor={cursor}", user=me)
    assert response.status_code == 422 and "cursor" in _error(response)["fields"]


@pytest.mark.parametrize("query", ["limit=²", "limit=" + "9" * 5000, "cursor=" + _cursor({"offset": 2**70})])
def test_integer_arguments_are_plain_digits_in_range(api, create_user, query):
    response = api.get(f"/search?q=hello&{query}", user=create_user())
    assert response.status_code == 422


def test_an_account_page_older_than_a_huge_entry_id_is_refused_not_a_500(client, login, member_account):
    _, account, holder = member_account
    login(holder)
    assert client.get(f"/credit/accounts/{account.id}?before=99999999999999999999").status_code == 422
    assert client.get(f"/credit/accounts/{account.id}?before=5").status_code == 200


def test_whole_numbers_are_ascii_digits_within_bounds():
    assert whole_number("42") == 42 and whole_number(str(MAX_INT)) == MAX_INT
    assert [whole_number(text) for text in ("²", "١٢", "-1", "0", "1e3", " 1", str(MAX_INT + 1), "9" * 5000)] == [
        None
    ] * 8


def test_nul_in_a_query_argument_answers_422_on_every_database(api, client, login, create_user):
    me = login(create_user())
    assert client.get("/search?q=a%00b").status_code == 422
    response = api.get("/search?q=a%00b", user=me)
    assert response.status_code == 422 and "q" in _error(response)["fields"]


# --- exchange rates ----------------------------------------------------------------------------


@pytest.mark.parametrize("rate", ["9e999999", "1e-999999", "0", "-1", "NaN", "Infinity", "1000001", "0.0000001",
                                  "1.0000000000000001", "abc", "1" * 41])  # fmt: skip
def test_an_exchange_rate_out_of_bounds_is_refused_on_the_field(api, create_user, create_group, rate):
    admin = create_user()
    currency = {"code": "SKL", "name": "Kredit", "symbol": "§", "decimals": 2}
    parent = api.post("/networks", {"name": "Root", "group_id": create_group(admin=admin).id, "currency": currency},
                      user=admin).get_json()  # fmt: skip
    body = {"name": "Child", "group_id": create_group(admin=admin).id, "currency": currency,
            "parent_id": parent["id"], "exchange_rate": rate}  # fmt: skip
    response = api.post("/networks", body, user=admin)
    assert response.status_code == 422 and "exchange_rate" in _error(response)["fields"]
    assert db.session.scalar(select(func.count()).select_from(Network)) == 1


@pytest.mark.parametrize(("rate", "stored"), [("1E+6", "1000000"), ("0.50", "0.5"), (" 2 ", "2"), ("1e-6", "0.000001")])
def test_an_exchange_rate_is_stored_exactly_as_plain_digits(make_network, rate, stored):  # noqa: F811
    root = make_network()
    assert make_network(admin=root.admin, parent=root, exchange_rate=rate).exchange_rate == stored


def test_a_payment_into_a_network_with_a_stored_absurd_rate_is_refused_not_a_500(
    api,
    make_network,  # noqa: F811
    open_account,  # noqa: F811
    create_user,
):
    root = make_network(default_credit_limit=100_000)
    child = make_network(admin=root.admin, parent=root, default_credit_limit=100_000)
    payer, payee = open_account(root, holder=create_user()), open_account(child, holder=create_user())
    db.session.execute(update(Network).where(Network.id == child.id).values(exchange_rate="9E+999999"))
    db.session.commit()
    body = {"from_account_id": payer.id, "to_account_id": payee.id, "amount": 100, "description": "Across"}
    response = api.post("/transfers", body, user=payer.holder)
    assert response.status_code == 422 and _error(response)["code"] == "no_route"
    assert db.session.scalar(select(func.count()).select_from(Transfer)) == 0


# --- the same reversal twice at once -----------------------------------------------------------


def test_a_reversal_that_loses_the_race_is_the_same_conflict_on_the_page_and_the_api(
    api,
    client,
    login,
    make_network,  # noqa: F811
    open_account,  # noqa: F811
    create_user,
):
    network = make_network(default_credit_limit=10_000)
    payer, payee = open_account(network, holder=create_user()), open_account(network, holder=create_user())
    paid = credit.transfer(from_account_id=payer.id, to_account_id=payee.id, amount=100, description="x", actor=None)
    credit.reverse(transfer_id=paid.id, reason="first", actor=None)
    # what a second reversal sees when it read the transfer before the first one committed
    db.session.execute(update(Transfer).where(Transfer.id == paid.id).values(state="completed"))
    db.session.commit()
    response = api.post(f"/transfers/{paid.id}/reverse", {"reason": "again"}, user=network.admin)
    assert response.status_code == 409 and _error(response)["message"] == "This transfer has already been reversed."
    login(network.admin)
    page = client.post(f"/credit/transfers/{paid.id}/reverse", data={"reason": "again"}, follow_redirects=True)
    assert page.status_code == 200 and "This transfer has already been reversed." in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Transfer)) == 2


def test_discussions_page_cursor_still_pages(api, create_user, create_group):
    me = create_user()
    group = create_group(admin=me)
    for i in range(3):
        db.session.add(Discussion(group_id=group.id, author_id=me.id, title=f"T{i}", description=""))
    db.session.commit()
    first = api.get(f"/groups/{group.id}/discussions?limit=2", user=me).get_json()
    rest = api.get(f"/groups/{group.id}/discussions?limit=2&cursor={first['next']}", user=me).get_json()
    assert len(first["items"]) == 2 and len(rest["items"]) == 1 and rest["next"] is None
