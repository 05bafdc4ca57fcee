"""Infrastructure shared by every domain app: the API's error shape, pagination and
idempotent creation. Imports no domain app."""
