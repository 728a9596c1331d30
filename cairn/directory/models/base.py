"""What every HSDS-shaped row has: its HSDS id and the properties Cairn does not model.

`hsds_id` is the HSDS `id` (a UUID string), unique per table: imports upsert on it, so
sending the same data again never duplicates a row. `extra` keeps, losslessly, whatever a
publisher sent that Cairn has no column for, so an import followed by an export gives the
same document back. Reserved keys in `extra` (written and read by cairn.directory.hsds):
"_refs" (references to HSDS ids not present in Cairn, e.g. {"organization_id": "..."}),
"_raw" (the original text of a typed value whose canonical form differs, e.g. a date-time
written with another offset) and "_empty" (fields sent as an empty string).
"""

import uuid

from django.db import models


def new_hsds_id() -> str:
    return str(uuid.uuid4())


class HsdsRecord(models.Model):
    hsds_id = models.CharField(
        "HSDS id", max_length=36, unique=True, default=new_hsds_id, help_text="HSDS `id` (UUID)."
    )
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return getattr(self, "name", "") or self.hsds_id
