-- 015: server-side sessions of the dashboard, and the wall screens' device sign-ins (gridgov/sessions.py,
-- gridgov/devices.py).
--
-- The dashboard's cookie carries only a random session id; the record here decides whether it is still good:
-- not revoked, within its idle expiry (moved forward as it is used) and its absolute expiry (never moved).
-- Only a SHA-256 of the id is stored, so a copy of this table signs nobody in. A session belongs either to
-- an account (username) or to a wall device (device), never both.
--
-- A wall device is a long-lived, read-only sign-in for the wall screen (/wall) made by the administrator
-- (`gridgov wall-device add`); only a SHA-256 of its token is stored. Revoking it revokes its sessions.

CREATE TABLE wall_devices (
    name        text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9_.-]{1,64}$'),
    token_hash  bytea       NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);

CREATE TABLE sessions (
    id_hash          bytea PRIMARY KEY,
    username         text REFERENCES users (username) ON DELETE CASCADE,  -- removing an account ends its sessions
    device           text REFERENCES wall_devices (name) ON DELETE CASCADE,
    account_tag      text        NOT NULL DEFAULT '',  -- a tag of the password hash the session began under
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_seen        timestamptz NOT NULL DEFAULT now(),
    idle             interval    NOT NULL,             -- idle lifetime: idle_expires_at = last use + idle
    idle_expires_at  timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,             -- absolute: never moved
    revoked_at       timestamptz,
    ip               text,
    user_agent       text,
    CHECK ((username IS NULL) <> (device IS NULL)),
    CHECK (idle_expires_at <= expires_at)
);
CREATE INDEX sessions_username ON sessions (username) WHERE revoked_at IS NULL;
CREATE INDEX sessions_device ON sessions (device) WHERE revoked_at IS NULL;
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- A new password or a disabled account ends the account's sessions at once, however the row was changed
-- (`gridgov user passwd`, or by hand in SQL).
CREATE FUNCTION sessions_end_with_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE sessions SET revoked_at = now() WHERE username = NEW.username AND revoked_at IS NULL;
    RETURN NEW;
END
$$;
CREATE TRIGGER users_end_sessions
    AFTER UPDATE OF password_hash, disabled ON users
    FOR EACH ROW
    WHEN (OLD.password_hash IS DISTINCT FROM NEW.password_hash OR (NEW.disabled AND NOT OLD.disabled))
    EXECUTE FUNCTION sessions_end_with_account();
