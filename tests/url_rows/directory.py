"""URL permission rows: the resource directory (cairn/directory/urls.py,
cairn/api/directory_search.py).

The search and a listing's page are public: anonymous visitors and every persona get
them (a listing that does not exist is 404 for all). Keeping listings ("Your
listings", edit, capacity, confirm) is for listing keepers: the clinic's intake
coordinator (MANAGE_LISTINGS) and the administrator (MANAGE_DIRECTORY, a curator);
everyone else is refused before anything is read (403; anonymous to sign-in, 401 on
the API). For keepers a listing that does not exist is 404; a listing of another
organization is 403 (cairn/directory/tests/test_pages.py, test_api.py).
"""

from tests.url_rows.common import PUBLIC, Visit

KEEPERS = frozenset({"service_intake", "administrator"})
NO_SERVICE = {"service_id": "999999999"}

ROWS: dict[str, list[Visit]] = {
    # Pages.
    "directory:search": [Visit(PUBLIC)],
    "directory:service_detail": [Visit(PUBLIC, kwargs=NO_SERVICE, success=404)],
    "directory:my_listings": [Visit(KEEPERS)],
    "directory:listing_edit": [
        Visit(KEEPERS, kwargs=NO_SERVICE, success=404),
        Visit(KEEPERS, kwargs=NO_SERVICE, method="post", success=404),
    ],
    "directory:capacity_update": [
        Visit(KEEPERS, kwargs=NO_SERVICE, success=404),
        Visit(KEEPERS, kwargs=NO_SERVICE, method="post", success=404),
    ],
    "directory:listing_confirm": [
        Visit(KEEPERS, kwargs=NO_SERVICE, success=405),
        Visit(KEEPERS, kwargs=NO_SERVICE, method="post", success=404),
    ],
    # JSON API. Public reads; the keepers' writes are POST only, and the matrix posts
    # no body, which ninja refuses (400) for keepers once they are let in.
    "api:directory_search": [Visit(PUBLIC)],
    "api:directory_service": [Visit(PUBLIC, kwargs=NO_SERVICE, success=404)],
    "api:directory_listings": [Visit(KEEPERS)],
    "api:directory_capacity_update": [
        Visit(KEEPERS, kwargs=NO_SERVICE, method="post", success=400)
    ],
    "api:directory_confirm": [Visit(KEEPERS, kwargs=NO_SERVICE, method="post", success=400)],
}
