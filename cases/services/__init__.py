"""Every write to case data. Each service is one transaction that checks the caller's access
(cases.policy) and writes its audit event. Modules by subject: access (grants), case (intake
and lifecycle), risk, plan, records (services, notes, consent)."""
