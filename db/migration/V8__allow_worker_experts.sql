-- Experts served by a pool of Ensemble inference workers (type 'worker'; base_url lists them).
alter table expert drop constraint expert_backend_check;
alter table expert add constraint expert_backend_check check (backend in ('upstream', 'engine', 'worker', 'echo'));
