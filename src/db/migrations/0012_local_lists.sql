-- The local authorization list every OCPP 1.6 charger is sent (SendLocalList): derived from
-- the RFID cards (id_tags), one list for all chargers, with a version that grows with every
-- change to a card.

-- The list's current version (one row). 0 while no card was ever registered: chargers hold
-- an empty list then, which is what 0 means in GetLocalListVersion.
create table local_list (
  singleton boolean primary key default true check (singleton),
  version   integer not null
);
insert into local_list (version) select case when exists (select 1 from id_tags) then 1 else 0 end;

-- The list version at which each card last changed, a removed card included (its row stays,
-- so a Differential from any older version can say it is gone). Keyed like id_tags: upper case.
create table local_list_changes (
  tag_key text primary key,
  -- the tag as last written (a removed card's as it was)
  id_tag  text not null,
  version integer not null
);
create index local_list_changes_by_version on local_list_changes (version);
insert into local_list_changes (tag_key, id_tag, version) select upper(id_tag), id_tag, 1 from id_tags;

-- What each charger holds and how its last SendLocalList went.
create table charger_local_lists (
  charger_id        integer primary key references chargers (id) on delete cascade,
  -- the list version the charger last confirmed (an accepted SendLocalList or GetLocalListVersion); null: unknown
  version           integer,
  -- synced: holds `version`; failed: the last attempt failed (retried on the next change or boot);
  -- unsupported: the charger has no local list (not sent again until it reports one at a boot)
  status            text not null check (status in ('synced', 'failed', 'unsupported')),
  -- the most entries the charger takes (the least of its SendLocalListMaxLength and
  -- LocalAuthListMaxLength, read before each Full list); null: it did not say
  max_entries       integer,
  last_update_type  text check (last_update_type in ('Full', 'Differential')),
  -- the charger's answer (Accepted, Failed, VersionMismatch, NotSupported) or the error
  last_result       text,
  last_attempt_at   timestamptz,
  updated_at        timestamptz not null default now()
);
