"""Campaign models, one file per area (each file owns its tables).

- campaigns.py: the campaign, its audiences and channels.
- materials.py: materials and their workflow (draft → language review → approved → published).
- language.py: the versioned person-first term list and each material's review findings.
- surveys.py: instruments (items, options, subscales), surveys, waves, invitations, responses.
- reach.py: reach metrics per channel and period.
"""

from cairn.campaigns.models.campaigns import *  # noqa: F403
from cairn.campaigns.models.language import *  # noqa: F403
from cairn.campaigns.models.materials import *  # noqa: F403
from cairn.campaigns.models.reach import *  # noqa: F403
from cairn.campaigns.models.surveys import *  # noqa: F403
