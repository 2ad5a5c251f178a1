-- Demo data for the developer run only (profile dev loads classpath:db/dev). Repeatable and
-- idempotent: it re-runs when edited and never duplicates rows.

-- A fixed API key with the 'user' role, so the quick start can call the API in one command:
--   curl -H 'Authorization: Bearer sk-ens-demo00000000devonlyquickstartkeydevonlyquickstartkey' ...
-- Stored like every key: prefix plus SHA-256 of the whole key.
insert into api_key (id, name, prefix, secret_sha256, owner_subject)
values ('00000000-0000-0000-0000-00000000d3e0', 'demo quick-start key', 'demo00000000',
        decode('95bff3756432ba52e31aaea2af02278c14d68689685d67f5cdcf0c5b29a2cf67', 'hex'), 'dev-seed')
on conflict (id) do nothing;

insert into api_key_role (api_key_id, role_name)
values ('00000000-0000-0000-0000-00000000d3e0', 'user')
on conflict do nothing;
