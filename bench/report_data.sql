-- The report bench's data, built by bench/report.py in one go with generate_series:
-- :incidents incidents over two years (1 in 10 private, 1 in 50 cancelled, the newest
-- 2% still open), each with two role assignments, three status updates (1 in 4 late),
-- an action item (most done), a postmortem for the closed ones, and
-- :entries_per timeline entries: mostly chat, plus the declaration, the status
-- updates, two reminders and the role changes.
INSERT INTO incidents (
    id, team_id, number, title, impact, severity, status, private, reporter_id, invitees,
    channel_id, started_at, declared_at, acknowledged_at, mitigated_at, resolved_at,
    closed_at, last_update_at, cancelled_at, cancel_reason, version
)
SELECT
    g, 'TBENCH', g, 'Bench incident ' || g, 'Some users affected',
    'SEV' || (1 + (g * 7) % 4),
    CASE WHEN g > :incidents * 0.98 THEN 'investigating' ELSE 'closed' END,
    g % 10 = 0, 'UREPORTER1', '[]'::json, 'CBENCH' || g,
    CASE WHEN g % 3 = 0 THEN NULL ELSE d - make_interval(mins => 5 + g % 40) END,
    d,
    d + make_interval(mins => 1 + g % 15),
    CASE WHEN g > :incidents * 0.98 THEN NULL ELSE d + make_interval(mins => 20 + g % 90) END,
    CASE WHEN g > :incidents * 0.98 THEN NULL ELSE d + make_interval(mins => 60 + g % 300) END,
    CASE WHEN g > :incidents * 0.98 THEN NULL ELSE d + make_interval(days => 1 + g % 12) END,
    d + make_interval(mins => 50),
    CASE WHEN g % 50 = 0 AND g <= :incidents * 0.98 THEN d + make_interval(mins => 60 + g % 300) END,
    CASE WHEN g % 50 = 0 AND g <= :incidents * 0.98 THEN 'false alarm' END,
    1
FROM (
    SELECT g, timestamptz '2024-06-03 00:00+00' + make_interval(secs => g * (63072000.0 / :incidents)) AS d
    FROM generate_series(1, :incidents) AS g
) AS s;

SELECT setval(pg_get_serial_sequence('incidents', 'id'), :incidents);

INSERT INTO role_assignments (incident_id, role, user_id, assigned_by, assigned_at, ended_at)
SELECT i.id, r.role, 'UIC' || (i.id % 40), 'UREPORTER1',
       i.declared_at + make_interval(mins => 1 + i.id % 15 + r.later), NULL
FROM incidents AS i
CROSS JOIN (VALUES ('commander', 0), ('ops_lead', 3)) AS r (role, later);

INSERT INTO status_updates (
    incident_id, author_id, status, happening, impact, doing, next_update_at, posted_at, due_at
)
SELECT i.id, 'UIC1', 'investigating', 'Looking into it', 'Some users', 'Rolling back',
       i.declared_at + make_interval(mins => 30 * (n + 1)),
       i.declared_at + make_interval(mins => 30 * n + CASE WHEN (i.id + n) % 4 = 0 THEN 35 ELSE 25 END),
       i.declared_at + make_interval(mins => 30 * (n + 1))
FROM incidents AS i CROSS JOIN generate_series(0, 2) AS n;

INSERT INTO action_items (
    incident_id, text, owner_id, due_on, state, created_by, created_at, closed_by, closed_at
)
SELECT i.id, 'Add an alert', 'UIC1', (i.declared_at + interval '14 days')::date,
       CASE WHEN i.id % 5 = 0 THEN 'open' WHEN i.id % 17 = 0 THEN 'wont_do' ELSE 'done' END,
       'UIC1', i.declared_at,
       CASE WHEN i.id % 5 = 0 THEN NULL ELSE 'UIC1' END,
       CASE WHEN i.id % 5 = 0 THEN NULL ELSE i.declared_at + interval '10 days' END
FROM incidents AS i;

INSERT INTO postmortems (incident_id, markdown, drafted_at)
SELECT id, '# Postmortem', resolved_at + interval '5 minutes'
FROM incidents WHERE resolved_at IS NOT NULL AND cancelled_at IS NULL;

INSERT INTO timeline_entries (
    incident_id, kind, author_id, text, occurred_at, recorded_at, highlighted, data
)
SELECT i, k.kind, 'UIC1', 'checked the dashboard: p99 is still 4s on payments-db',
       at, at, n % 10 = 1, '{}'::json
FROM (
    SELECT (g - 1) / :entries_per + 1 AS i, (g - 1) % :entries_per AS n,
           timestamptz '2024-06-03 00:00+00'
           + make_interval(secs => ((g - 1) / :entries_per + 1) * (63072000.0 / :incidents)
                                   + ((g - 1) % :entries_per) * 60) AS at
    FROM generate_series(1, :incidents * :entries_per) AS g
) AS s
CROSS JOIN LATERAL (
    SELECT CASE
        WHEN n = 0 THEN 'declared'
        WHEN n IN (10, 20, 30) THEN 'status_update'
        WHEN n IN (15, 35) THEN 'reminder'
        WHEN n IN (2, 5) THEN 'role_changed'
        ELSE 'message'
    END AS kind
) AS k;

ANALYZE;
