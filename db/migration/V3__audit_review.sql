-- Search by kind ("who read records?", "what did retention drop?") walks the newest events
-- first; access and retention events are rare, so without an index that walk reads most rows.
create index audit_event_kind on audit_event (kind, seq desc);
