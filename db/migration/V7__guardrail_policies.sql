-- Guardrail policies (issue 8): which detectors run for whom, at which stage, and what each finding
-- leads to. A policy applies to a request when it is enabled and each of its non-empty scopes
-- (roles, client apps, experts) matches the request; every applicable policy runs.

create table guardrail_policy (
    id             text primary key check (id ~ '^[a-z][a-z0-9_-]{0,62}$'),
    description    text             not null default '',
    enabled        boolean          not null default true,
    roles          text[]           not null default '{}',
    apps           text[]           not null default '{}',
    experts        text[]           not null default '{}',
    stages         text[]           not null check (stages <@ array['input', 'output', 'context']::text[] and cardinality(stages) > 0),
    detectors      text[]           not null default '{}',
    topics         jsonb            not null default '[]',
    actions        jsonb            not null default '{}',
    default_action text             not null check (default_action in ('block', 'redact', 'flag')),
    min_score      double precision not null default 0.5 check (min_score between 0 and 1),
    max_prompt_tokens integer       check (max_prompt_tokens > 0),
    max_output_tokens integer       check (max_output_tokens > 0),
    created_at     timestamptz      not null default now(),
    updated_at     timestamptz      not null default now(),
    updated_by     text             not null,
    check (cardinality(detectors) > 0 or jsonb_array_length(topics) > 0 or max_prompt_tokens is not null
           or max_output_tokens is not null)
);
