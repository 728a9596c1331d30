"""Open Referral HSDS 3.0 import and export for the resource directory (see docs/directory-hsds.md).

The official schemas are in ./schema (CC BY-SA 4.0, Open Referral; LICENSE-HSDS.txt)."""
