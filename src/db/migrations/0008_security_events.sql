-- What a charger reports under the OCPP 1.6 Security Whitepaper: its security events
-- (SecurityEventNotification), and the progress of a GetLog upload (LogStatusNotification)
-- and of a SignedUpdateFirmware (SignedFirmwareStatusNotification), for operators.
create table security_events (
  id          bigserial primary key,
  charger_id  integer not null references chargers (id) on delete cascade,
  kind        text not null default 'security' check (kind in ('security', 'log', 'firmware')),
  -- the event's type (a security event) or the status reported (log, firmware)
  type        text not null,
  tech_info   text,
  -- a security event the whitepaper lists as critical
  critical    boolean not null default false,
  -- the requestId of the GetLog or SignedUpdateFirmware a status is about
  request_id  integer,
  -- when the charger says it happened (a status carries none: when it was received)
  timestamp   timestamptz not null,
  received_at timestamptz not null default now()
);

create index security_events_by_charger on security_events (charger_id, id desc);
