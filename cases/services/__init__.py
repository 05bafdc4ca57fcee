"""Every write to case data. Each service a view, a task or a command calls is one durable
transaction that locks what it changes, checks the caller's access (cases.policy) and the
version they read, and writes its audit event; the few that another service calls inside its
own transaction are plain atomic blocks and say so. Modules by subject: access (grants), case
(intake and lifecycle), risk, plan, records (services, notes, consent)."""
