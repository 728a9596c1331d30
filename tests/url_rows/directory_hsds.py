"""URL permission rows: HSDS import and export of the directory (cairn/directory/views/hsds.py,
cairn/api/directory_hsds.py).

Importing and the curators' page are for directory curators (MANAGE_DIRECTORY: the
administrator); everyone else is refused before anything is read (403; anonymous to sign-in,
401 on the API). The HSDS reads of the API are public, like the directory. The matrix posts
no files: curators get 422 naming the missing files.
"""

from tests.url_rows.common import PUBLIC, Visit

CURATORS = frozenset({"administrator"})
NO_IMPORT = {"import_id": "999999999"}
NO_SERVICE = {"hsds_id": "00000000-0000-4000-8000-000000000000"}

ROWS: dict[str, list[Visit]] = {
    # Pages.
    "directory:hsds_home": [Visit(CURATORS)],
    "directory:hsds_import": [
        Visit(CURATORS, success=405),
        Visit(CURATORS, method="post", success=422),
    ],
    "directory:hsds_import_detail": [Visit(CURATORS, kwargs=NO_IMPORT, success=404)],
    "directory:hsds_export": [
        Visit(CURATORS, kwargs={"fmt": "csv"}),
        Visit(CURATORS, kwargs={"fmt": "json"}),
        Visit(CURATORS, kwargs={"fmt": "tables"}),
        Visit(CURATORS, kwargs={"fmt": "xml"}, success=404),
    ],
    # JSON API.
    "api:directory_hsds_import": [
        Visit(PUBLIC, success=405),
        Visit(CURATORS, method="post", success=422),
    ],
    "api:directory_hsds_root": [Visit(PUBLIC)],
    "api:directory_hsds_services": [Visit(PUBLIC)],
    "api:directory_hsds_service": [Visit(PUBLIC, kwargs=NO_SERVICE, success=404)],
}
