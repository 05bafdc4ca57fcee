"""Referral pathways between agencies: the service directory, service referrals, case transfers
and custody transfers. It opens cases to receivers through grants (cases.services.access)."""
