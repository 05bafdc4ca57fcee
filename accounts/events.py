"""What happens to people that other apps act on. Accounts sits below the case apps, so it
announces the event and they answer it (cases asks a supervisor to reassign a departed
worker's cases)."""

from django.dispatch import Signal

# Sent inside the transaction that deactivates ``user``, so what its receivers write commits
# or rolls back with it. Arguments: user (the account, already saved as inactive).
user_deactivated = Signal()
