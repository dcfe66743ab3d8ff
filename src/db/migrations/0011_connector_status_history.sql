-- A connector the charger announced (NumberOfConnectors) but has not reported on yet has no
-- status: its status, error code and times stay null until its first StatusNotification.
alter table connectors
  alter column status drop not null, alter column status drop default,
  alter column error_code drop not null, alter column error_code drop default,
  alter column status_at drop not null, alter column status_at drop default,
  alter column received_at drop not null, alter column received_at drop default;

-- Every StatusNotification, in the order it was stored (id), for operators: past statuses
-- and errors per connector (0 is the charger as a whole).
create table connector_status_history (
  id                bigserial primary key,
  charger_id        integer not null references chargers (id) on delete cascade,
  connector_id      integer not null check (connector_id >= 0),
  status            text not null,
  error_code        text not null,
  info              text,
  vendor_id         text,
  vendor_error_code text,
  -- the charger's clock (ours when it sent none or nothing usable)
  status_at         timestamptz not null,
  received_at       timestamptz not null
);

create index connector_status_history_by_charger on connector_status_history (charger_id, id desc);
create index connector_status_history_errors on connector_status_history (charger_id, id desc)
  where error_code <> 'NoError' or status = 'Faulted';

-- What an admin set for a charger while it was offline (PUT /chargers/:id status Unavailable or
-- Available): sent as ChangeAvailability of the whole charger after its next accepted boot.
alter table chargers add column pending_availability text check (pending_availability in ('Operative', 'Inoperative'));
