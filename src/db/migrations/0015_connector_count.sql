-- How many connectors a charger said it has (GetConfiguration NumberOfConnectors). Asked after
-- a boot only while unknown; a boot with another firmware version forgets it (asked again).
alter table chargers add column connector_count smallint;
