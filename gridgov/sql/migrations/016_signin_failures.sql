-- 016: the sign-in throttle's failures (gridgov/signin.py).
--
-- One row per password check that did not succeed, by the username typed and the client's address (an IPv6
-- client by its /64 network). A row is written before the password is checked, under an advisory lock per
-- address, and removed again if the password was right: so concurrent tries see each other, and a try that
-- was refused without a check (throttled) writes none and cannot extend a lock. Rows older than the window
-- are deleted as new ones come. Every try is in the audit table as well; this table only counts.
CREATE TABLE signin_failures (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    username  text        NOT NULL,
    address   text        NOT NULL  -- '' when the client's address is unknown
);
CREATE INDEX signin_failures_address_at ON signin_failures (address, at);
CREATE INDEX signin_failures_at ON signin_failures (at);
