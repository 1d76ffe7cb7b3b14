"""Federation pages: a network's node, its links and graft requests (admins), and paying someone on another network.

A page that calls another installation does its database work in a unit of work of its own first, so the call goes
out after that work has committed, with no transaction open (graft_sync.py).
"""

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..credit import queries as credit_queries
from ..credit.forms import ActionForm
from ..credit.models import Network
from ..credit.queries import account_decimals
from ..errors import DomainError
from ..extensions import db
from ..forms import choices
from ..groups.models import Group
from ..money import use_decimals
from ..ratelimit import rate_limit
from ..transaction import unit_of_work
from ..web import refused, show_error_on_form
from . import admin_api, discrepancies, faults, graft_queries, graft_sync, grafting, p6_api, transactions
from .forms import (
    PROFILE_NAMES,
    AllowedAddressesForm,
    DecideForm,
    GraftForm,
    NodeNameForm,
    RemotePayForm,
    ResolveDiscrepancyForm,
    SharingForm,
)
from .models import Link

bp = Blueprint("federation", __name__, url_prefix="/credit")
#: the admin API and the P6 peer routes are blueprints of their own (their prefixes are not /credit)
blueprints = (bp, admin_api.bp, p6_api.bp)
# a mistyped FEDERATION_TEST_FAULTS stops the app at its start, rather than leaving a test's fault unplanted
bp.record_once(lambda _state: faults.configured())


# credit's statements name a vostro counterparty by the remote address (credit imports no federation)
credit_queries.register_remote_counterparties(graft_queries.remote_addresses)

#: what "Check now" (or starting a graft) found, as the admin reads it
OUTCOMES = {
    graft_sync.SENT: _l("The request was sent to the trunk; its group decides."),
    graft_sync.WAITING: _l("The trunk has not decided yet. The platform asks again each minute."),
    graft_sync.ACTIVE: _l("The link is active."),
    graft_sync.DECLINED: _l("The trunk declined the request."),
    graft_sync.GONE: _l(
        "The trunk says the credentials were picked up already. If they never arrived here, ask its admins to "
        "re-seed the link."
    ),
    graft_sync.UNREACHABLE: _l("The trunk could not be reached. The platform tries again each minute."),
    graft_sync.REFUSED: _l("The trunk refused the request: check its address and the details."),
}


def _admin_network(network_id: int) -> Network:
    network = credit_queries.network_by_id(network_id)
    if network is None:
        abort(404)
    grafting.ensure_network_admin(current_user, network)
    return network


def _page(
    network: Network,
    *,
    graft_form: GraftForm | None = None,
    node_form: NodeNameForm | None = None,
    addresses_form: tuple[int, AllowedAddressesForm] | None = None,
    resolve_form: tuple[int, ResolveDiscrepancyForm] | None = None,
):
    """The federation page; a form given was sent back with errors (the page answers 422). `addresses_form`: the
    link whose allowed addresses were refused, and its form; `resolve_form`, likewise for a discrepancy's note."""
    rows = graft_queries.link_rows(network)
    may_graft = network.parent_id is None and not any(row.link.direction == "trunkward" for row in rows)
    if graft_form is None and may_graft:
        graft_form = GraftForm()
        use_decimals(graft_form, network.currency_decimals)
    address_forms = {
        row.link.id: addresses_form_of(row.link.id, formdata=None, allowed_ips=_lines(row.link.allowed_ips))
        for row in rows
    }
    if addresses_form is not None:
        address_forms[addresses_form[0]] = addresses_form[1]
    resolve_forms = {found.id: ResolveDiscrepancyForm(prefix=f"discrepancy-{found.id}", formdata=None)
                     for found in discrepancies.unresolved(network)}  # fmt: skip
    if resolve_form is not None:
        resolve_forms[resolve_form[0]] = resolve_form[1]
    sent = [form for form in (graft_form, node_form, addresses_form and addresses_form[1],
                              resolve_form and resolve_form[1]) if form]  # fmt: skip
    failed = any(form.errors or form.form_errors for form in sent)
    return render_template(
        "federation/network.html",
        network=network,
        group=db.session.get(Group, network.group_id),
        node_path=graft_queries.node_path(network),
        base_url=grafting.base_url(network, request.host_url),
        rows=rows,
        graft_requests=graft_queries.pending_requests(network),
        graft_form=graft_form if may_graft else None,
        node_form=node_form or NodeNameForm(),
        address_forms=address_forms,
        discrepancies=_discrepancy_rows(network, resolve_forms),
        sharing_form=SharingForm(share_names=network.federation_share_names),
        decide_form=DecideForm(),
        profile_names=PROFILE_NAMES,
        action_form=ActionForm(),
    ), 422 if failed else 200


def _discrepancy_rows(network: Network, forms: dict[int, ResolveDiscrepancyForm]) -> list[dict]:
    rows = []
    for found in discrepancies.unresolved(network):
        link = db.session.get(Link, found.link_id)
        rows.append({"found": found, "link": link, "form": forms[found.id],
                     "amount": discrepancies.amount_text(found, link, network),
                     "reason": discrepancies.REASONS[found.reason]})  # fmt: skip
    return rows


@bp.get("/networks/<int:network_id>/federation")
@login_required
def network(network_id: int):
    return _page(_admin_network(network_id))


@bp.post("/networks/<int:network_id>/federation/discrepancies/<int:discrepancy_id>/resolve")
@login_required
def resolve_discrepancy(network_id: int, discrepancy_id: int):
    """An admin marks a payment the peer booked (and we erased) settled, with what was agreed (the service checks
    who may)."""
    found = _admin_network(network_id)
    form = ResolveDiscrepancyForm(prefix=f"discrepancy-{discrepancy_id}")
    if form.validate_on_submit():
        try:
            discrepancies.resolve(actor=current_user, network=found, discrepancy_id=discrepancy_id,
                                  note=form.note.data)  # fmt: skip
        except DomainError as err:
            if err.status != 422:
                return refused(err, url_for(".network", network_id=network_id))
            show_error_on_form(form, err)
        else:
            flash(_("The discrepancy is marked resolved."), "success")
            return redirect(url_for(".network", network_id=network_id))
    return _page(_admin_network(network_id), resolve_form=(discrepancy_id, form))


@bp.post("/networks/<int:network_id>/federation/name")
@login_required
def name_node(network_id: int):
    found = _admin_network(network_id)
    form = NodeNameForm()
    if form.validate_on_submit():
        try:
            grafting.name_node(actor=current_user, network=found, node_name=form.node_name.data.strip())
        except DomainError as err:
            show_error_on_form(form, err)
        else:
            flash(_("The network is now the node %(name)s.", name=found.cc_name), "success")
            return redirect(url_for(".network", network_id=network_id))
    return _page(found, node_form=form)


@bp.post("/networks/<int:network_id>/federation/sharing")
@login_required
def sharing(network_id: int):
    found = _admin_network(network_id)
    form = SharingForm()
    if form.validate_on_submit():
        grafting.share_names(actor=current_user, network=found, shared=form.share_names.data)
        flash(_("Saved what neighbouring nodes may see."), "success")
    return redirect(url_for(".network", network_id=network_id))


@bp.post("/networks/<int:network_id>/federation/trunkward")
@login_required
def start_graft(network_id: int):
    found = _admin_network(network_id)
    form = GraftForm()
    use_decimals(form, found.currency_decimals)
    if not form.validate_on_submit():
        return _page(found, graft_form=form)
    try:
        with unit_of_work():
            link = grafting.request_trunkward(
                actor=current_user,
                network=found,
                root_url=request.host_url,
                trunk_url=form.trunk_url.data.strip(),
                node_name=form.node_name.data.strip(),
                exchange_rate=form.exchange_rate.data.strip(),
                requested_credit_limit=form.requested_credit_limit.data or 0,
                message=form.message.data or "",
                profile=form.profile.data,
                last_hash=(form.last_hash.data or "").strip() or None,
                trunk_path=(form.trunk_path.data or "").strip() or None,
            )
            link_id = link.id
    except DomainError as err:
        show_error_on_form(form, err)
        return _page(_admin_network(network_id), graft_form=form)
    flash(str(OUTCOMES[graft_sync.check_trunk(link_id)]), "info")
    return redirect(url_for(".network", network_id=network_id))


def _network_id_of(link_id: int, check=grafting.link_of_admin) -> int:
    """The link's network, once `check` lets the admin act on the link (a unit of work of its own, so a call to
    the peer after it goes out with no transaction open)."""
    with unit_of_work(write=False):
        link = check(actor=current_user, link_id=link_id)
        return link.network_id


def _back() -> str:
    return request.referrer or url_for("credit.index")


@bp.post("/federation/links/<int:link_id>/check")
@login_required
def check(link_id: int):
    """ "Check now": ask the trunk of a waiting link how things stand."""
    try:
        network_id = _network_id_of(link_id)
    except DomainError as err:
        return refused(err, _back())
    flash(str(OUTCOMES[graft_sync.check_trunk(link_id)]), "info")
    return redirect(url_for(".network", network_id=network_id))


@bp.post("/federation/links/<int:link_id>/status/<any(active, suspended):status>")
@login_required
def set_status(link_id: int, status: str):
    try:
        link = grafting.update_link(actor=current_user, link_id=link_id, status=status)
    except DomainError as err:
        return refused(err, _back())
    if status == "suspended":
        flash(_("The link is suspended: it refuses relays and new payments."), "success")
    else:
        flash(_("The link is active again."), "success")
    return redirect(url_for(".network", network_id=link.network_id))


def _lines(addresses: list[str] | None) -> str:
    return "\n".join(addresses or [])


def addresses_form_of(link_id: int, **kwargs) -> AllowedAddressesForm:
    """Each link's form has its own field names (several links share the page)."""
    return AllowedAddressesForm(prefix=f"link-{link_id}", **kwargs)


@bp.post("/federation/links/<int:link_id>/allowed-ips")
@login_required
def set_allowed_ips(link_id: int):
    """The addresses a link's peer may call from (peer_auth refuses the others): one a line, or comma-separated."""
    form = addresses_form_of(link_id)
    if form.validate_on_submit():
        typed = (form.allowed_ips.data or "").replace(",", " ").split()
        try:
            link = grafting.update_link(actor=current_user, link_id=link_id, allowed_ips=typed)
        except DomainError as err:
            show_error_on_form(form, err)
        else:
            flash(_("The link's allowed addresses are saved."), "success")
            return redirect(url_for(".network", network_id=link.network_id))
    link, found = grafting.link_for_admin(current_user, link_id)
    return _page(found, addresses_form=(link.id, form))


@bp.post("/federation/links/<int:link_id>/rotate")
@login_required
def rotate(link_id: int):
    try:
        network_id = _network_id_of(link_id, check=grafting.ensure_rotatable)
    except DomainError as err:
        return refused(err, _back())
    if graft_sync.rotate_secret(link_id):
        flash(_("The link has a new secret; the old one still works for 24 hours."), "success")
    else:
        flash(_("The peer did not take the new secret; the current one stays."), "error")
    return redirect(url_for(".network", network_id=network_id))


@bp.post("/federation/links/<int:link_id>/credentials")
@login_required
def credentials(link_id: int):
    """A Komunitin or reference leaf's starting hash, shown in this answer only (it is never shown again)."""
    try:
        shown = grafting.reveal_credentials(actor=current_user, link_id=link_id)
    except DomainError as err:
        return refused(err, _back())
    link, found = grafting.link_for_admin(current_user, link_id)
    return render_template("federation/credentials.html", credentials=shown, link=link, network=found)


@bp.post("/federation/graft-requests/<int:request_id>/<any(approve, decline):decision>")
@login_required
def decide(request_id: int, decision: str):
    form = DecideForm() if decision == "approve" else ActionForm()
    graft, found = grafting.request_for_admin(current_user, request_id)
    if decision == "approve":
        use_decimals(form, found.currency_decimals)
    back = url_for(".network", network_id=found.id)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
        return redirect(back)
    try:
        grafting.decide_directly(
            actor=current_user,
            graft=graft,
            approve=decision == "approve",
            credit_limit=form.credit_limit.data if decision == "approve" else 0,
        )
    except DomainError as err:
        return refused(err, back)
    flash(_("Approved: the node picks up its credentials.") if decision == "approve" else _("Declined."), "success")
    return redirect(back)


# --- paying someone on another network -------------------------------------------------------------


def _payer_choices() -> list:
    accounts = [a for a in credit_queries.accounts_of_user(current_user) if a.purpose == "member"]
    names = credit_queries.holder_names(accounts)
    networks = credit_queries.networks_by_ids(a.network_id for a in accounts)
    return choices(
        (a.id, f"{names.get((a.holder_type, a.holder_id), '')} — {networks[a.network_id].name}") for a in accounts
    )


@bp.route("/pay/remote", methods=["GET", "POST"])
@login_required
@rate_limit("payments", per="user")
def pay_remote():
    """Pay someone on another network by their address (ocn/leeds/bob): the answer says whether it completed,
    is still completing (the platform finishes it), or was refused (nothing moved)."""
    if request.method == "GET" and request.args.get("payment"):
        return _payment_page(request.args["payment"])
    form = RemotePayForm()
    form.from_account_id.choices = _payer_choices()
    use_decimals(form, account_decimals(form.from_account_id.data))
    if request.method == "GET":
        form.idempotency_key.data = uuid.uuid4().hex
        form.to_address.data = request.args.get("to", "")[:300]
    if not form.validate_on_submit():
        return _pay_page(form)
    try:
        row = transactions.pay_remote(
            actor=current_user,
            from_account_id=form.from_account_id.data,
            to_address=form.to_address.data.strip(),
            amount=form.amount.data,
            description=form.description.data or "",
            idempotency_key=form.idempotency_key.data or None,
        )
    except DomainError as err:
        if "to" in err.fields:  # the service names the payee `to`, as the API does
            err.fields["to_address"] = err.fields.pop("to")
        show_error_on_form(form, err)
        return _pay_page(form)
    if row.state == "completed":
        flash(_("Paid %(address)s.", address=row.payee_address), "success")
        return redirect(url_for("credit.receipt", transfer_id=row.transfer_id))
    return _shown(row), 202


def _payment_page(uuid: str):
    """How a payment the member made stands now: completed (with its receipt), still completing, or not paid."""
    try:
        with unit_of_work(write=False):
            return _shown(transactions.remote_transfer_for(current_user, uuid.lower()[:36]))
    except DomainError as err:
        return refused(err, url_for(".pay_remote"))


def _shown(row):
    payer = credit_queries.account_by_id(row.legs[0]["from_account_id"])
    network = credit_queries.network_by_id(payer.network_id)
    reason = transactions.REFUSALS.get((row.error or {}).get("code"), transactions.REFUSALS["validation_failed"])
    return render_template("federation/pay_remote.html", form=None, payment=row, network=network, reason=reason)


def _pay_page(form: RemotePayForm):
    status = 422 if form.errors or form.form_errors else 200
    return render_template("federation/pay_remote.html", form=form, payment=None), status
