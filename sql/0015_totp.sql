-- 0015_totp: the optional second factor of comradarr-serve accounts
-- (Req 10, 35; RFC 6238).
--
-- The TOTP secret is sealed with SECRET_KEY (lib/crypto/secretbox.h), its
-- associated data binding it to (user_totp, secret_enc, the user's id), so
-- a key rotation re-seals it with every other sealed column.  A row with
-- confirmed_at NULL is an enrolment waiting for its first code; only a
-- confirmed row asks for a code at login.  last_step is the newest 30 s
-- step a code was accepted for: a code is never accepted twice.
CREATE TABLE user_totp (
	id bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
	secret_enc bytea NOT NULL,
	algorithm text NOT NULL DEFAULT 'SHA1' CHECK (algorithm IN ('SHA1', 'SHA256', 'SHA512')),
	created_at timestamptz NOT NULL DEFAULT now(),
	confirmed_at timestamptz,
	last_step bigint
);

-- One-time recovery codes, only as their SHA-256 (80 random bits each,
-- bound to the user id: lib/crypto/totp.h).  A used code keeps its row
-- with used_at set, so the audit can say which one went.
CREATE TABLE user_recovery_codes (
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	code_hash text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
	created_at timestamptz NOT NULL DEFAULT now(),
	used_at timestamptz,
	PRIMARY KEY (user_id, code_hash)
);

-- A login whose password was right, waiting for the second factor: the
-- token (128 random bits, cookie or JSON field) stored only as its SHA-256,
-- short-lived and deleted by the step that uses it.
CREATE TABLE login_pending (
	token_hash text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL,
	address text
);
CREATE INDEX login_pending_user ON login_pending (user_id);
CREATE INDEX login_pending_expiry ON login_pending (expires_at);
