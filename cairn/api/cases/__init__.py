"""API: case management — the worklist, source records, clients, duplicates, episodes, merges.

Only the care team (a role with view_identifiable) of the organizations that hold
a person's case may call these operations: everyone else gets 403 before any
input is read, and a record outside the caller's organizations answers 404. Every
read of a client record, and every list of people returned, is written to the
audit log with its purpose, through the same choke points as the pages
(`cairn.cases.access`). Creating a client or an episode takes an idempotency key
(the `Idempotency-Key` header or `idempotency_key` in the body): the same key again
returns what the first request made.
"""

# The operations register themselves on the router, in this order (the OpenAPI order).
# isort: off
from cairn.api.cases import clients  # noqa: F401, E402
from cairn.api.cases import care  # noqa: F401, E402
from cairn.api.cases import plans  # noqa: F401, E402
from cairn.api.cases import supporters  # noqa: F401, E402
from cairn.api.cases import treatment  # noqa: F401, E402

# isort: on
from cairn.api.cases.common import router  # noqa: E402

__all__ = ["router"]
