-- What each charger holds in its OCPP configuration, as it last reported it (GetConfiguration)
-- and as it answered our changes (ChangeConfiguration), and what operators want it to hold.

-- The last GetConfiguration answer as a whole: when it came, and the keys the charger did not know.
create table charger_configuration_reads (
  charger_id   integer primary key references chargers (id) on delete cascade,
  unknown_keys text[] not null default '{}',
  read_at      timestamptz not null
);

-- One row per key a charger reported or was sent. The reported columns are null when the last
-- answer did not list the key; the change columns are null until a ChangeConfiguration was tried.
create table charger_configuration (
  charger_id    integer not null references chargers (id) on delete cascade,
  key           text not null,
  -- what the charger reported (a key may be reported without a value), or what it accepted since
  value         text,
  readonly      boolean,
  read_at       timestamptz,
  -- the last ChangeConfiguration of the key: the charger's answer, or Failed (no answer, a CALLERROR)
  change_status text check (change_status in ('Accepted', 'RebootRequired', 'Rejected', 'NotSupported', 'Failed')),
  change_value  text,
  change_error  text,
  change_by     text,
  changed_at    timestamptz,
  primary key (charger_id, key)
);

-- The configuration operators want: per charge point, or per charger (a charger's key wins).
create table desired_configuration (
  id              serial primary key,
  charge_point_id integer references charge_points (id) on delete cascade,
  charger_id      integer references chargers (id) on delete cascade,
  key             text not null,
  value           text not null,
  updated_at      timestamptz not null default now(),
  check ((charge_point_id is null) <> (charger_id is null)),
  -- nulls are distinct: each holds only for the rows of its own level
  unique (charge_point_id, key),
  unique (charger_id, key)
);
