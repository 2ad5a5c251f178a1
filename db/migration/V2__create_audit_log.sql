-- The audit log: append-only, hash-chained, partitioned by month.
--
-- Each event is written by the group-commit writer, which holds an advisory lock for the whole
-- batch transaction, so sequence numbers are gap-free and in commit order across replicas.
-- `record` is the canonical JSON of the whole event (every column below is derived from it and
-- checked against it by verification); hash = sha256(prev_hash || record).

create table audit_event (
    seq          bigint      not null,
    recorded_at  timestamptz not null,
    request_id   text        not null,
    kind         text        not null check (kind in ('request', 'response', 'access', 'retention')),
    subject      text,
    caller_type  text,
    roles        text[]      not null default '{}',
    api_key_id   uuid,
    client_app   text,
    model        text,
    expert       text,
    status       integer,
    guardrail_action text,
    text_content text        not null default '',
    record       text        not null,
    prev_hash    bytea       not null,
    hash         bytea       not null,
    search       tsvector generated always as (to_tsvector('simple'::regconfig, left(text_content, 200000))) stored,
    primary key (seq, recorded_at)
) partition by range (recorded_at);

create index audit_event_recent on audit_event (recorded_at desc, seq desc);
create index audit_event_request on audit_event (request_id);
create index audit_event_subject on audit_event (subject, seq desc);
create index audit_event_expert on audit_event (expert, seq desc);
create index audit_event_api_key on audit_event (api_key_id, seq desc) where api_key_id is not null;
create index audit_event_status on audit_event (status, seq desc);
create index audit_event_guardrail on audit_event (guardrail_action, seq desc) where guardrail_action is not null;
create index audit_event_roles on audit_event using gin (roles);
create index audit_event_search on audit_event using gin (search);
alter table audit_event alter column search set statistics 1000;

-- The chain's head (one row): read and advanced inside each batch transaction.
create table audit_head (
    id        boolean primary key default true check (id),
    last_seq  bigint not null,
    last_hash bytea  not null,
    last_recorded_at timestamptz not null
);

-- Anchors: the genesis hash (seq 0) and the hash of each month's last event, so the chain stays
-- verifiable from a new start after retention drops old months.
create table audit_anchor (
    seq         bigint primary key,
    month       date,
    hash        bytea       not null,
    created_at  timestamptz not null default now()
);

insert into audit_anchor (seq, month, hash) values (0, null, sha256(convert_to('ensemble-audit-genesis', 'UTF8')));
insert into audit_head (last_seq, last_hash, last_recorded_at)
values (0, sha256(convert_to('ensemble-audit-genesis', 'UTF8')), '-infinity');

-- Monthly partitions, created ahead by the application (and here for the current months).
create function audit_ensure_partition(month_start date) returns void
language plpgsql security definer set search_path = public as $$
declare
    name text := 'audit_event_' || to_char(month_start, 'YYYY_MM');
begin
    if to_regclass(name) is null then
        -- Bounds are UTC instants whatever the session's time zone: months are UTC months everywhere.
        execute format('create table %I partition of audit_event for values from (%L) to (%L)',
                       name, month_start::timestamp at time zone 'UTC',
                       (month_start + interval '1 month')::timestamp at time zone 'UTC');
        -- Partitions do not inherit the parent's statistics target: without a fine one, the
        -- planner thinks a rare search word common and walks the whole table (see BENCHMARKS.md).
        execute format('alter table %I alter column search set statistics 1000', name);
    end if;
end $$;

select audit_ensure_partition((date_trunc('month', now()) + make_interval(months => m))::date)
from generate_series(-1, 2) as m;

-- Append-only: rows can be neither changed nor deleted. Retention drops whole monthly partitions
-- through audit_drop_month(), which records its anchor first.
create function audit_reject_change() returns trigger
language plpgsql as $$
begin
    raise exception 'audit_event is append-only: % is not allowed', tg_op
        using errcode = 'insufficient_privilege';
end $$;

create trigger audit_event_append_only
    before update or delete on audit_event
    for each row execute function audit_reject_change();

create trigger audit_event_no_truncate
    before truncate on audit_event
    for each statement execute function audit_reject_change();

create function audit_drop_month(month_start date) returns bigint
language plpgsql security definer set search_path = public as $$
declare
    name text := 'audit_event_' || to_char(month_start, 'YYYY_MM');
    last_seq bigint;
    last_hash bytea;
    anchored bytea;
begin
    -- The application role may call this; the month being written must never go, whatever it asks.
    if (date_trunc('month', month_start) + interval '1 month')::timestamp at time zone 'UTC' > now() then
        raise exception 'audit month % has not ended and cannot be dropped', to_char(month_start, 'YYYY-MM')
            using errcode = 'insufficient_privilege';
    end if;
    if to_regclass(name) is null then
        return null;
    end if;
    execute format('select seq, hash from %I order by seq desc limit 1', name) into last_seq, last_hash;
    if last_seq is not null then
        insert into audit_anchor (seq, month, hash) values (last_seq, month_start, last_hash)
        on conflict (seq) do nothing;
        select hash into anchored from audit_anchor where seq = last_seq;
        if anchored <> last_hash then
            raise exception 'anchor for seq % disagrees with the event being dropped', last_seq;
        end if;
    end if;
    execute format('alter table audit_event detach partition %I', name);
    execute format('drop table %I', name);
    return last_seq;
end $$;

-- Functions are executable by PUBLIC unless revoked, and these two run as their owner.
-- afterMigrate.sql grants them to the application role.
revoke execute on function audit_ensure_partition(date), audit_drop_month(date) from public;
