"""Domain errors that services raise and the API maps to status codes."""


class StateConflictError(Exception):
    """The object's state does not allow the action (answered 409): accepting a cancelled
    referral, approving a plan that was never submitted."""


class StaleVersionError(Exception):
    """The caller read the object at a version someone has changed since (answered 412): its
    write would silently replace the other person's."""
