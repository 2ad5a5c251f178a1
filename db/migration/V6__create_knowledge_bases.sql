-- Knowledge bases (issue 7). Who may read a knowledge base is not stored here: a role reads it when
-- it holds the permission kb:<id>:read (or kb:*:read) in role_permission, the same grammar every
-- other permission uses. pgvector is not part of the embedded PostgreSQL, so embeddings are real[]
-- (384 L2-normalised floats of all-MiniLM-L6-v2) searched by an in-memory index that is rebuilt
-- from this table at start.

create table knowledge_base (
    id                  text primary key check (id ~ '^[A-Za-z0-9._-]{1,100}$'),
    name                text        not null check (length(name) between 1 and 200),
    description         text        not null default '',
    chunk_target_chars  integer     not null default 1000 check (chunk_target_chars between 200 and 8000),
    chunk_overlap_chars integer     not null default 150 check (chunk_overlap_chars >= 0 and chunk_overlap_chars * 2 <= chunk_target_chars),
    default_experts     text[]      not null default '{}',
    created_at          timestamptz not null default now(),
    created_by          text        not null,
    updated_at          timestamptz not null default now()
);

create table kb_document (
    id           uuid primary key,
    kb_id        text        not null references knowledge_base (id) on delete cascade,
    external_id  text        not null check (length(external_id) between 1 and 500),
    title        text        not null default '',
    metadata     jsonb       not null default '{}',
    content_type text        not null default 'text/plain',
    content_sha256 text      not null,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    unique (kb_id, external_id)
);

create table kb_chunk (
    id          bigint generated always as identity primary key,
    document_id uuid    not null references kb_document (id) on delete cascade,
    kb_id       text    not null references knowledge_base (id) on delete cascade,
    position    integer not null,
    title       text    not null default '',
    text        text    not null,
    -- The title (heading path) weighs more than the body in lexical ranking.
    search      tsvector generated always as (
                    setweight(to_tsvector('english'::regconfig, title), 'A') ||
                    setweight(to_tsvector('english'::regconfig, text), 'B')) stored,
    embedding   real[]  not null,
    -- Tokens in the tsvector (positions counted), BM25's document length.
    length      integer not null default 0,
    unique (document_id, position)
);

create index kb_chunk_search on kb_chunk using gin (search);
-- Collection statistics for BM25 (chunk count, mean length) by an index-only scan.
create index kb_chunk_kb on kb_chunk (kb_id) include (length);

-- The postings BM25 reads: one row per lexeme of each chunk's tsvector with its term frequency,
-- so a query touches only the postings of its own terms, in the knowledge bases it may read.
create table kb_chunk_term (
    kb_id        text    not null,
    lexeme       text    not null,
    chunk_id     bigint  not null references kb_chunk (id) on delete cascade,
    tf           integer not null,
    chunk_length integer not null,
    primary key (kb_id, lexeme, chunk_id)
);

create index kb_chunk_term_chunk on kb_chunk_term (chunk_id);

-- Bulk and multi-file ingestion. Items keep their input until processed, so a job interrupted by a
-- restart resumes with the items still pending.
create table ingestion_job (
    id         uuid primary key,
    kb_id      text        not null references knowledge_base (id) on delete cascade,
    status     text        not null check (status in ('queued', 'running', 'completed', 'completed_with_errors', 'failed')),
    total      integer     not null,
    done       integer     not null default 0,
    failed     integer     not null default 0,
    errors     jsonb       not null default '[]',
    created_by text        not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create table ingestion_item (
    job_id       uuid    not null references ingestion_job (id) on delete cascade,
    position     integer not null,
    name         text    not null,
    state        text    not null default 'pending' check (state in ('pending', 'done', 'failed')),
    external_id  text,
    title        text,
    metadata     jsonb,
    text         text,
    content      bytea,
    content_type text,
    primary key (job_id, position)
);

create index ingestion_job_unfinished on ingestion_job (created_at) where status in ('queued', 'running');
