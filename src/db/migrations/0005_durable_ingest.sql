-- A sample reported again (a charger resending what it was not sure we stored) is the same
-- sample: one row per session (or, without one, per charger connector), time, measurand,
-- phase, location and context. Leading with the session and time, it also serves the
-- session's readings in order, so the two older indexes go (each index costs every insert).
create unique index meter_values_sample_key on meter_values (
  session_id, sampled_at, measurand, charger_id, connector_id, phase, location, context) nulls not distinct;
drop index meter_values_session_idx;
drop index meter_values_charger_idx;

-- Readings are history: they stay with their session when a charger is removed, and the
-- ingest path only ever stores readings of chargers and sessions it has checked (the
-- per-row foreign-key triggers cost as much as the rest of the insert).
alter table meter_values drop constraint meter_values_session_id_fkey;
alter table meter_values drop constraint meter_values_charger_id_fkey;
-- The sample key is its identity; a surrogate id (a sequence and an index per row) would only cost.
alter table meter_values drop column id;

-- The charger side reads a charger's latest sessions when it connects.
create index charging_sessions_charger_recent_idx on charging_sessions (charger_id, id);

-- Authorization asks whether a card is in a session that has not ended.
create index charging_sessions_live_tag_idx on charging_sessions (upper(id_tag))
  where status in ('Created', 'Starting', 'Charging', 'Stopping');

-- When the central system received the connector's status (status_at is the charger's clock).
alter table connectors add column received_at timestamptz not null default now();

-- How far each node's local journal (DATA_DIR/journal) has been stored in this database,
-- advanced in the same transaction as the records it covers.
create table ingest_checkpoints (
  journal_id  text primary key,
  applied_seq bigint not null,
  updated_at  timestamptz not null default now()
);

-- When the charger's StartTransaction reached the central system (started_at is the charger's clock).
alter table charging_sessions add column start_received_at timestamptz;

-- A session row is written at start, at stop and once more with its price: room in each page
-- lets the price (no indexed column) be written in place, without touching every index again.
alter table charging_sessions set (fillfactor = 85);
-- (charger_id, id) serves every lookup by charger, newest first; the status is filtered on the way.
drop index charging_sessions_charger_idx;
