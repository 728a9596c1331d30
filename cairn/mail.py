"""Sending Cairn's notice emails, shared by the notices that keep a retry count
(stale directory listings, referral arrivals): a mail server that is down is logged and
reported back, never raised, so the notice it was for is kept and tried again."""

import logging

logger = logging.getLogger(__name__)


def send_each(messages, *, what: str) -> tuple[int, str]:
    """Send every EmailMessage of `messages`; (how many were sent, the last failure as
    "ErrorType: message" of at most 300 characters, or "" when all were sent)."""
    sent, error = 0, ""
    for message in messages:
        try:
            message.send()
            sent += 1
        except Exception as failure:  # a mail server being down never loses a notice
            logger.warning("%s email failed: %s", what, failure)
            error = f"{type(failure).__name__}: {failure}"[:300]
    return sent, error
