"""The child and the case, and the access policy that decides who sees which case."""
