import importlib
import os
import threading

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
application = get_wsgi_application()


def _warm_statistics() -> None:
    """statsmodels takes seconds to import; a campaign's outcome estimate is its first user.
    Importing it beside the server's start keeps that wait off the first person's page."""
    importlib.import_module("statsmodels.genmod.generalized_linear_model")


threading.Thread(target=_warm_statistics, name="cairn-warm-statistics", daemon=True).start()
