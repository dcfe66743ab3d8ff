-- A charge point's (site's) grid connection, which its chargers share, and each charger's
-- supply: what the load balancer keeps the site within. A site without a current or power
-- limit is not balanced. Currents are per phase, in amperes.
alter table charge_points
  add column max_current_a double precision check (max_current_a > 0),
  add column max_power_w integer check (max_power_w > 0),
  add column phases smallint not null default 3 check (phases in (1, 3)),
  add column reserve_current_a double precision not null default 0 check (reserve_current_a >= 0);

-- A single-phase charger is on one phase (L1, L2 or L3); a three-phase one may be wired with
-- its phases rotated (L2L3L1: its first phase is the site's L2), which decides the phase a
-- single-phase car draws from.
alter table chargers
  add column max_current_a double precision not null default 32 check (max_current_a >= 6 and max_current_a <= 630),
  add column phase_connection text not null default 'L1L2L3'
    check (phase_connection in ('L1', 'L2', 'L3', 'L1L2L3', 'L2L3L1', 'L3L1L2'));
