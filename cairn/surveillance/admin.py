"""Nothing from surveillance is in Cairn's admin, on purpose.

EventIdentity holds identifying details, which are read only through `cairn.access`
choke points that audit each read. Event rows are the de-identified line list,
which administrators (aggregate tier) may not see. Surveillance pages come with
the surveillance capability, scoped by role and place.
"""
