-- The expert registry and the router's example utterances. Experts named in configuration
-- (`ensemble.experts`) are seeded at start; the admin API (`/admin/api/experts`) manages the rest.
-- A configured expert is re-seeded only when its configuration changes (config_sha256), so edits
-- made through the admin API survive restarts until the operator edits that entry.

create table expert (
    id                     text primary key check (id ~ '^[A-Za-z0-9._-]{1,100}$'),
    display_name           text,
    description            text             not null default '',
    backend                text             not null check (backend in ('upstream', 'engine', 'echo')),
    base_url               text,
    api_key                text,
    model                  text,
    system_prompt          text             not null default '',
    context_length         integer          not null default 8192 check (context_length > 0),
    streaming              boolean          not null default true,
    cost_weight            double precision not null default 1 check (cost_weight >= 0),
    data_classification    text             not null check (data_classification in ('public', 'internal', 'confidential')),
    on_premises            boolean          not null,
    enabled                boolean          not null default true,
    allowed_roles          text[]           not null default '{}',
    connect_timeout_ms     bigint           not null default 5000 check (connect_timeout_ms > 0),
    first_token_timeout_ms bigint           not null default 60000 check (first_token_timeout_ms > 0),
    request_timeout_ms     bigint           not null default 300000 check (request_timeout_ms > 0),
    max_retries            integer          not null default 2 check (max_retries >= 0),
    source                 text             not null default 'admin' check (source in ('config', 'admin')),
    config_sha256          text,
    created_at             timestamptz      not null default now(),
    updated_at             timestamptz      not null default now(),
    -- Only experts that run on the company's own machines may receive confidential data.
    check (data_classification <> 'confidential' or on_premises)
);

-- Each example is stored with its embedding, so a restart retrains without re-embedding.
create table routing_example (
    id              bigint generated always as identity primary key,
    expert_id       text        not null references expert (id) on delete cascade,
    text            text        not null check (length(text) between 1 and 4000),
    embedding       real[]      not null,
    embedding_model text        not null,
    created_at      timestamptz not null default now(),
    unique (expert_id, text)
);

create index routing_example_expert on routing_example (expert_id, id);

-- Bumped by every change to experts or examples; each replica polls it and reloads when it moves.
create table expert_registry_version (
    id      boolean primary key default true check (id),
    version bigint  not null
);

insert into expert_registry_version (version) values (0);
