"""Telling people and partner systems what happened: webhooks to partner systems (and, in
time, reminders and the notification outbox). Imports no domain app: callers pass ids and
payloads down."""
