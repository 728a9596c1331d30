"""URL permission rows: closed-loop referrals (cairn/referrals, cairn/api/referrals.py).

Senders hold `send_referrals` (the ER nurse, the outreach worker, the peer worker);
receivers hold `receive_referrals` (the ER nurse and the clinic's intake coordinator).
Sending, the Sent list and their API operations are for senders; the Received list for
receivers; a referral's page for either, and a referral they neither sent nor receive
is 404 (here: one that does not exist). Everyone else gets 403, anonymous the sign-in
page (401 on the API). Pages with real referrals, per persona, are tested in
cairn/referrals/tests/test_access.py.
"""

from tests.url_rows.common import Visit

SENDERS = frozenset({"er_nurse", "outreach_worker", "peer_worker"})
RECEIVERS = frozenset({"er_nurse", "service_intake"})
EITHER = SENDERS | RECEIVERS
NO_REFERRAL = {"referral_id": "999999999"}


def _post_only(kwargs: dict, post_status: int) -> list[Visit]:
    return [
        Visit(EITHER, kwargs=kwargs, success=405),
        Visit(EITHER, kwargs=kwargs, method="post", success=post_status),
    ]


ROWS: dict[str, list[Visit]] = {
    # Pages. The index sends each user to their list.
    "referrals:index": [Visit(EITHER, success=302)],
    # An empty form is refused with the field at fault (400).
    "referrals:send": [Visit(SENDERS), Visit(SENDERS, method="post", success=400)],
    # The service picker answers htmx; a plain request goes back to the send page.
    "referrals:service_search": [Visit(SENDERS, success=302)],
    "referrals:sent": [Visit(SENDERS)],
    "referrals:received": [Visit(RECEIVERS)],
    "referrals:detail": [Visit(EITHER, kwargs=NO_REFERRAL, success=404)],
    "referrals:step": _post_only(NO_REFERRAL, 404),
    "referrals:withdraw_consent": _post_only(NO_REFERRAL, 404),
    # JSON API: POST-only operations are posted to (ninja answers 405 to a GET before
    # anyone is checked); an empty body is refused with 400 where the operation takes one.
    "api:referrals_sent": [Visit(SENDERS)],
    "api:referrals_received": [Visit(RECEIVERS)],
    "api:referrals_send": [Visit(SENDERS, method="post", success=400)],
    "api:referral_detail": [Visit(EITHER, kwargs=NO_REFERRAL, success=404)],
    "api:referral_step": [Visit(EITHER, kwargs=NO_REFERRAL, method="post", success=400)],
    "api:referral_withdraw_consent": [
        Visit(EITHER, kwargs=NO_REFERRAL, method="post", success=400)
    ],
}
