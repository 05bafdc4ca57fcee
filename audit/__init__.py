"""The append-only, hash-chained audit trail. Imports no domain app."""
