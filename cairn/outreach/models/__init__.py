"""Community action teams (teams.py) and their outreach encounters (encounters.py)."""

from cairn.outreach.models.encounters import *  # noqa: F401, F403
from cairn.outreach.models.teams import *  # noqa: F401, F403
