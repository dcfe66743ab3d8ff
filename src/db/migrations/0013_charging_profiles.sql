-- The charging profiles (OCPP 1.6 smart charging) a charger holds because an admin set them,
-- as they were sent, with the charger's last answer. A profile the charger rejected when it
-- was set is not stored; ChargePointMaxProfile and TxDefaultProfile are sent again after
-- every accepted BootNotification, a TxProfile only while its transaction runs.
create table charging_profiles (
  charger_id     integer not null references chargers (id) on delete cascade,
  -- the chargingProfileId: one profile per id and charger, a new one replaces it
  profile_id     integer not null,
  -- 0 = the charge point as a whole
  connector_id   integer not null,
  purpose        text not null check (purpose in ('ChargePointMaxProfile', 'TxDefaultProfile', 'TxProfile')),
  stack_level    integer not null,
  -- the transaction a TxProfile belongs to (its own, or the one running on the connector when set)
  transaction_id integer,
  -- csChargingProfiles of the SetChargingProfile, as sent
  profile        jsonb not null,
  -- the charger's last answer: Accepted or Rejected, or Failed when it gave none (error says why)
  status         text not null check (status in ('Accepted', 'Rejected', 'Failed')),
  error          text,
  set_by         integer references users (id) on delete set null,
  -- when the charger last answered (or failed to) a SetChargingProfile of it
  applied_at     timestamptz not null default now(),
  created_at     timestamptz not null default now(),
  primary key (charger_id, profile_id)
);
