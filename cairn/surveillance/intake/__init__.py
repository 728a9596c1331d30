"""Surveillance intake: every source turns its input into IncomingRecords and calls
`accept_record` (or quarantines what it cannot read). See pipeline.py."""
