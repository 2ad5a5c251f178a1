-- Every API request leaves two append-only events: 'request' (committed before any model runs)
-- and 'response' (committed before the answer completes). The audit issue adds the hash chain,
-- partitioning and the append-only trigger on top of this table.

create table audit_event (
    id          bigint generated always as identity primary key,
    request_id  text        not null,
    kind        text        not null check (kind in ('request', 'response')),
    occurred_at timestamptz not null,
    subject     text        not null,
    caller_type text        not null,
    roles       text[]      not null,
    api_key_id  uuid,
    client_app  text,
    endpoint    text        not null,
    model       text,
    expert      text,
    status      integer,
    body        jsonb       not null
);

create index audit_event_request_id on audit_event (request_id);
create index audit_event_occurred_at on audit_event (occurred_at);
