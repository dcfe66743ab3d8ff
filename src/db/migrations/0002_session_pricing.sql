-- The price of a session hour by hour, as it was computed at stop:
-- [{"hour": "<ISO start of hour>", "energyWh": n, "pricePerKwhOre": n, "amountOre": n}, ...]
alter table charging_sessions add column price_breakdown jsonb;

-- A session's reservation is the one POST /transaction made for it.
create index reservations_expiry_idx on reservations (expires_at) where status in ('Requested', 'Accepted');
