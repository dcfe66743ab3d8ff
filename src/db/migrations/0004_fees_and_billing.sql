-- A fixed fee per charging session at a charge point (öre), on top of the energy price.
alter table charge_points add column session_fee_ore integer not null default 0 check (session_fee_ore >= 0);

-- Billing details for invoices (POST /invoice-setup); the profile is used where empty.
alter table users add column billing_name text not null default '';
alter table users add column billing_address text not null default '';
alter table users add column billing_postcode text not null default '';
alter table users add column billing_town text not null default '';
