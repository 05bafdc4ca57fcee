"""People and organisations: users and roles, agencies, locations, API tokens, and each user's
reach over cases (which the case policy turns into a query)."""
