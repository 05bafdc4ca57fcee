"""What happens to cases that other apps act on. The case apps sit below the pathways built on
them, so cases announce the event and those apps answer it (the trafficking pathway watches a
case for its victim identification once a trafficking concern is recorded)."""

from django.dispatch import Signal

# Sent inside the transaction that writes cases' concerns (a registration, an edit that changes
# them, an import), so what its receivers write commits or rolls back with it. Arguments:
# case_ids (the cases whose concerns were just written).
concerns_written = Signal()
