"""The reward typed on the request page is read by the one parser, in the currency of the account that pays it."""

from sqlalchemy import func, select

from platform6.extensions import db
from platform6.skills.models import SkillRequest


def _post(client, group, pot, reward: str):
    return client.post(f"/groups/{group.handle}/requests/new", data={
        "title": "Mend the fence", "skills-0-name": "carpentry", "skills-0-level": "3", "skills-0-required": "y",
        "volunteers_needed": "1",
        "reward_account_id": str(pot.id), "reward": reward})  # fmt: skip


def test_the_reward_is_read_like_every_amount(client, login, create_user, create_group, make_network, open_account):
    admin = create_user()
    group = create_group(admin=admin, privacy="open")
    pot = open_account(make_network(admin=admin, group=group), group=group, credit_limit=100_00)
    login(admin)
    for typed, message in (
        ("9e999999", "Write the amount in digits, such as 1234.50."),  # was decimal.Overflow: a 500
        ("1,234", "&#34;1,234&#34; could mean 1234 or 1.234."),
        ("-5", "An amount cannot be negative."),
    ):
        refused = _post(client, group, pot, typed)
        assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SkillRequest.id))) == 0
    assert _post(client, group, pot, "12,50").status_code == 302
    assert db.session.scalar(select(SkillRequest.reward_amount)) == 1_250
