-- Role-based access control: roles grant permissions, identity-provider groups map to roles,
-- API keys carry roles of their own. Permission grammar is enforced by the application.

create table role (
    name        text primary key check (name ~ '^[a-z][a-z0-9_-]{0,62}$'),
    description text        not null default '',
    built_in    boolean     not null default false,
    created_at  timestamptz not null default now()
);

create table role_permission (
    role_name  text not null references role (name) on delete cascade,
    permission text not null check (length(permission) between 1 and 200),
    primary key (role_name, permission)
);

create table group_mapping (
    group_name text not null check (length(group_name) between 1 and 200),
    role_name  text not null references role (name) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (group_name, role_name)
);

create table api_key (
    id            uuid primary key,
    name          text        not null check (length(name) between 1 and 100),
    prefix        text        not null unique,
    secret_sha256 bytea       not null,
    owner_subject text        not null,
    created_at    timestamptz not null default now(),
    expires_at    timestamptz,
    revoked_at    timestamptz
);

create table api_key_role (
    api_key_id uuid not null references api_key (id) on delete cascade,
    role_name  text not null references role (name) on delete cascade,
    primary key (api_key_id, role_name)
);

insert into role (name, description, built_in) values
    ('user', 'Uses the chat API and every expert', true),
    ('auditor', 'Reads the audit log', true),
    ('admin', 'Administers roles, keys, experts, policies and knowledge bases', true);

insert into role_permission (role_name, permission) values
    ('user', 'chat'),
    ('user', 'expert:*'),
    ('user', 'kb:*:read'),
    ('auditor', 'audit:read'),
    ('admin', 'chat'),
    ('admin', 'expert:*'),
    ('admin', 'kb:*:read'),
    ('admin', 'audit:read'),
    ('admin', 'admin:roles'),
    ('admin', 'admin:keys'),
    ('admin', 'admin:experts'),
    ('admin', 'admin:policies'),
    ('admin', 'admin:kbs');

-- The conventional group names; a deployment maps its own IdP groups through /admin/api/group-mappings.
insert into group_mapping (group_name, role_name) values
    ('ensemble-users', 'user'),
    ('ensemble-auditors', 'auditor'),
    ('ensemble-admins', 'admin');
