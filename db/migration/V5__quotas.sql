-- Token budgets and request rates per user, role or API key (issue 8). A quota limits one subject
-- in one window (minute, day or month, UTC); usage rows hold what was used and what is reserved by
-- requests still running in the current window. Reservations update the usage row under its row
-- lock, so concurrent requests on any number of gateway replicas never overbook it.

create table quota (
    id            uuid primary key,
    subject_type  text        not null check (subject_type in ('user', 'role', 'api_key')),
    subject       text        not null check (length(subject) between 1 and 200),
    time_window   text        not null check (time_window in ('minute', 'day', 'month')),
    max_tokens    bigint      check (max_tokens > 0),
    max_requests  integer     check (max_requests > 0),
    created_at    timestamptz not null default now(),
    created_by    text        not null,
    check (max_tokens is not null or max_requests is not null),
    unique (subject_type, subject, time_window)
);

create table quota_usage (
    quota_id        uuid        not null references quota (id) on delete cascade,
    window_start    timestamptz not null,
    tokens_used     bigint      not null default 0 check (tokens_used >= 0),
    tokens_reserved bigint      not null default 0 check (tokens_reserved >= 0),
    requests        integer     not null default 0 check (requests >= 0),
    primary key (quota_id, window_start)
);
