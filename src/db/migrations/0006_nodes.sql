-- Several nodes: each holds some chargers' sockets and keeps a lease while it runs. A
-- charger shown online belongs to the node that holds it; when that node's lease lapses
-- (it died), any node shows its chargers offline.
create table node_leases (
  node_id text primary key,
  started_at timestamptz not null default now(),
  expires_at timestamptz not null
);

alter table chargers add column node_id text;

-- Work that must happen once among the nodes (monthly invoicing, sweeps) is done by the
-- node holding its lease.
create table job_leases (
  name text primary key,
  node_id text not null,
  expires_at timestamptz not null
);

-- When the charger's presence last changed: a node's late news (its batch stored after
-- another node's) never undoes a newer change.
alter table chargers add column presence_at timestamptz;
