"""Reads of case data, always through the access policy: the case itself (``case``), what is
recorded under it (``records``: plans, services, notes, consent) and its risk (``risk``)."""
