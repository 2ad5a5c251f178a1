-- Runs after every migration (Flyway callback). When the application has its own database role
-- `ensemble_app` (the embedded setup creates it; production should), that role gets plain DML on
-- the gateway's tables but only INSERT/SELECT on the audit log: it cannot change history.
do $$
declare
    t text;
begin
    if not exists (select 1 from pg_roles where rolname = 'ensemble_app') then
        return;
    end if;
    grant usage on schema public to ensemble_app;
    for t in select tablename from pg_tables where schemaname = 'public'
                 and tablename not like 'audit\_%' and tablename <> 'flyway_schema_history' loop
        execute format('grant select, insert, update, delete on %I to ensemble_app', t);
    end loop;
    revoke all on audit_event, audit_anchor, audit_head from ensemble_app;
    grant select, insert on audit_event to ensemble_app;
    grant select, insert on audit_anchor to ensemble_app;
    grant select, update on audit_head to ensemble_app;
    grant execute on function audit_ensure_partition(date), audit_drop_month(date) to ensemble_app;
    grant usage on all sequences in schema public to ensemble_app;
end $$;
