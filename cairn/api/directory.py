"""API: directory. The people's and keepers' operations live in directory_search.py;
HSDS import and export operations are added to this router by their own module."""

from ninja import Router

from cairn.api import directory_hsds, directory_search

router = Router(tags=["directory"])
router.add_router("", directory_search.router)
router.add_router("", directory_hsds.router)
