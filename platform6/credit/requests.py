"""Payment requests: asked by the payee, accepted (paid) or declined by the payer, expired when left."""

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from ..accounts.models import User
from ..database import begin_write
from ..errors import Forbidden, NotFound, RuleViolation, invalid
from ..extensions import db
from ..notifications.service import notify
from ..timeutil import utcnow
from . import queries
from .ledger import _check_payment, transfer
from .models import Account, PaymentRequest
from .networks import _ensure_controls, _visible_account
from .routing import plan_route

REQUEST_DAYS = 14


def request_payment(
    *,
    actor: User,
    from_account_id: int,
    to_account_id: int,
    amount: int,
    description: str,
    expires_in_days: int = REQUEST_DAYS,
) -> PaymentRequest:
    """An invoice from the payee (whom the actor controls) to the payer."""
    _check_payment(amount, description, from_account_id, to_account_id)
    if not 1 <= expires_in_days <= 365:
        raise invalid("expires_in_days", _("A request expires after 1 to 365 days."))
    payee = _visible_account(actor, to_account_id)
    _ensure_controls(actor, payee)
    payer = _askable_payer(actor, payee, from_account_id)
    for field, account in (("from_account_id", payer), ("to_account_id", payee)):
        if account.is_linking:
            raise RuleViolation("validation_failed", field, _("Clearing and settlement accounts move only by routing."))
    plan_route(payer, payee, amount)
    now = utcnow()
    request = PaymentRequest(
        from_account_id=payer.id,
        to_account_id=payee.id,
        amount=amount,
        description=description,
        created_by_id=actor.id,
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days),
    )
    db.session.add(request)
    db.session.flush()
    notify(
        user_ids=queries.controller_ids(payer),
        kind="payment_request",
        url="/credit/requests",
        text=lambda: _("%(name)s asks for a payment: %(description)s", name=actor.name, description=description),
        actor_id=actor.id,
    )
    return request


def _askable_payer(actor: User, payee: Account, from_account_id: int) -> Account:
    """The account asked to pay, if the request may tell the actor who holds it (else 404, as for no account)."""
    payer = queries.account_by_id(from_account_id)
    if payer is None or not queries.holder_may_be_named_to(actor, payer, network_id=payee.network_id):
        message = "There is no account with this number that you can ask."
        raise NotFound(message, fields={"from_account_id": [message]})
    return payer


def _request_for_payer(actor: User, request_id: int) -> PaymentRequest:
    stmt = select(PaymentRequest).where(PaymentRequest.id == request_id)
    if db.session.get_bind().dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    request = db.session.scalar(stmt.execution_options(populate_existing=True))
    if request is None:
        raise NotFound(_("No such payment request."))
    payer = queries.account_by_id(request.from_account_id)
    if not queries.controls_account(actor, payer):
        payee = queries.account_by_id(request.to_account_id)
        if queries.can_see_account(actor, payer) or queries.controls_account(actor, payee):
            raise Forbidden(_("Only the payer may answer a payment request."))
        raise NotFound(_("No such payment request."))
    return request


def accept_request(*, actor: User, request_id: int) -> PaymentRequest:
    """Pay the request; a refused payment raises its error and the request stays pending."""
    begin_write()
    request = _request_for_payer(actor, request_id)
    request.decide("accepted", utcnow())
    made = transfer(
        from_account_id=request.from_account_id,
        to_account_id=request.to_account_id,
        amount=request.amount,
        description=request.description,
        actor=actor,
    )
    request.transfer_id = made.id
    db.session.flush()
    return request


def decline_request(*, actor: User, request_id: int) -> PaymentRequest:
    request = _request_for_payer(actor, request_id)
    request.decide("declined", utcnow())
    db.session.flush()
    return request


def expire_requests(now: datetime | None = None) -> int:
    """Mark every pending request past its expiry as expired (a conditional UPDATE: safe with several workers)."""
    now = now or utcnow()
    result = db.session.execute(
        update(PaymentRequest)
        .where(PaymentRequest.state == "pending", PaymentRequest.expires_at <= now)
        .values(state="expired", decided_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
