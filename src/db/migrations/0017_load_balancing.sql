-- Load balancing: how each charger takes part, what the balancer gave each running
-- connector, and the price-aware plans drivers ask for.

-- priority weighs a charger's share (and who gets the minimum first when not all can);
-- balancing_profile is the purpose its limits are sent as; smart_charging is what it
-- showed of SetChargingProfile (unsupported: counted at its maximum, never sent one).
alter table chargers
  add column balancing_priority smallint not null default 1 check (balancing_priority between 1 and 10),
  add column balancing_profile text not null default 'TxProfile' check (balancing_profile in ('TxProfile', 'TxDefaultProfile')),
  add column smart_charging text not null default 'unknown' check (smart_charging in ('unknown', 'supported', 'unsupported'));

-- One row per connector the balancer has given a limit: the limit it wants (current_a) and
-- the limit the charger last accepted (in_force_a; null: none, it draws its maximum).
create table connector_allocations (
  charger_id integer not null references chargers (id) on delete cascade,
  connector_id integer not null,
  charge_point_id integer not null references charge_points (id) on delete cascade,
  session_id integer,
  current_a double precision not null check (current_a >= 0),
  phases smallint not null check (phases in (1, 3)),
  in_force_a double precision check (in_force_a >= 0),
  status text not null check (status in ('pending', 'accepted', 'rejected', 'failed', 'unsupported')),
  error text,
  limited_by text not null,
  computed_at timestamptz not null default now(),
  accepted_at timestamptz,
  primary key (charger_id, connector_id)
);
create index connector_allocations_site on connector_allocations (charge_point_id);

-- A driver's "ready by this time with this much energy": the hours chosen, and what they cost.
create table charging_plans (
  session_id integer primary key references charging_sessions (id) on delete cascade,
  ready_by timestamptz not null,
  energy_wh integer not null check (energy_wh > 0),
  periods jsonb not null,
  planned_energy_wh integer not null check (planned_energy_wh >= 0),
  expected_cost_ore integer not null check (expected_cost_ore >= 0),
  currency text not null,
  created_at timestamptz not null default now()
);
