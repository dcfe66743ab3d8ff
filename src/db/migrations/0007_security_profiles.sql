-- OCPP 1.6 Security Whitepaper: the security profile each charger must connect with.
-- 0: no security (the original's chargers; Basic Auth only when a password is set),
-- 1: Basic Auth over ws:// or wss://, 2: Basic Auth over wss:// only, 3: wss:// with a client
-- certificate naming the charger. An admin may raise it, never lower it.
alter table chargers add column security_profile smallint not null default 0
  check (security_profile between 0 and 3);
