from cairn.surveillance.models.definitions import *  # noqa: F403
from cairn.surveillance.models.events import *  # noqa: F403
from cairn.surveillance.models.events import AGE_BANDS, UNKNOWN_AGE_BAND, age_band_for  # noqa: F401
from cairn.surveillance.models.intake import *  # noqa: F403
