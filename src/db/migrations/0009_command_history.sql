-- Every command the server sends to a charger, whoever sent it: written by the node that
-- initiated it, once when it is sent (outcome 'pending') and once when it is answered or fails.
create table command_history (
  id            uuid primary key,
  charger_id    integer not null references chargers (id) on delete cascade,
  -- the request's connectorId, when it has one
  connector_id  integer,
  action        text not null,
  subsystem     text not null,
  -- the user (or admin) on whose behalf it was sent; no reference: the history outlives accounts
  user_id       integer,
  node_id       text not null,
  request       jsonb not null,
  outcome       text not null check (outcome in ('pending', 'answered', 'callError', 'timeout', 'offline', 'invalid', 'unavailable', 'failed')),
  -- the answer's `status`, when it has one (Accepted, Rejected, …)
  status        text,
  response      jsonb,
  error_code    text,
  error_message text,
  sent_at       timestamptz not null,
  finished_at   timestamptz,
  duration_ms   integer
);

-- A charger's history, newest first, paged by (sent_at, id).
create index command_history_by_charger on command_history (charger_id, sent_at desc, id desc);

-- A charger's stored frames, newest first, paged by id (the index of 0001 orders by time only).
create index ocpp_messages_by_charger_id on ocpp_messages (charger_id, id desc);
