"""HL7 v2 syndromic-surveillance ADT messages (A01, A03, A04, A08) into surveillance events.

- `messages`: parse one message with python-hl7 and map it to an IncomingRecord.
- `acks`: build the ACK (AA, AE naming segment and field, AR for an unparseable frame).
- `processing`: a batch of raw messages -> one transaction -> one ACK each (group commit).
- `server`: the asyncio MLLP listener behind `cairn mllp`.
- `files`: `cairn ingest hl7 FILE...`.
"""
