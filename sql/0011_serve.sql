-- 0011_serve: comradarr-serve's accounts, sessions, API keys and audit log
-- (Req 10, 34, 35).  No secret is stored in a form that lets anyone log in:
-- passwords are Argon2id PHC strings, session ids and API keys are stored
-- only as their SHA-256 (they are 128+ bits of randomness, so a fast hash
-- is enough).

CREATE TABLE users (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
	password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
	role text NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'user', 'readonly')),
	failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
	locked_until timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	password_changed_at timestamptz NOT NULL DEFAULT now(),
	last_login_at timestamptz
);

-- A session lives until the first of: logout, a password change,
-- idle_until, expires_at (absolute).
CREATE TABLE sessions (
	id_hash text PRIMARY KEY CHECK (id_hash ~ '^[0-9a-f]{64}$'),
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf_token text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	last_seen_at timestamptz NOT NULL DEFAULT now(),
	idle_until timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	address text
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_keys (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	key_hash text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
	last4 text NOT NULL,
	description text NOT NULL CHECK (length(description) BETWEEN 1 AND 200),
	scope text NOT NULL CHECK (scope IN ('read', 'full')),
	created_by text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	revoked_at timestamptz,
	last_used_at timestamptz
);

-- Every request made with a key (Req 34.4).
CREATE TABLE api_key_usage (
	key_id bigint NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
	at timestamptz NOT NULL DEFAULT now(),
	method text NOT NULL,
	route text NOT NULL,
	status integer NOT NULL
);
CREATE INDEX api_key_usage_key ON api_key_usage (key_id, at);

-- Who did what (Req 35.5): logins, user, key, connector and setting changes,
-- queue actions.  actor is a user name, "apikey:ID" or "cli:USER".
CREATE TABLE audit_log (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT now(),
	actor text NOT NULL,
	address text,
	action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.]*$'),
	target text,
	outcome text NOT NULL CHECK (outcome IN ('ok', 'failed', 'locked', 'refused')),
	detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_time ON audit_log (at);

-- The secret an *arr sends with its webhook calls (Basic auth password or
-- X-Webhook-Secret), one per connector, stored as SHA-256 (Req 32 webhooks).
CREATE TABLE webhook_secrets (
	connector_id bigint PRIMARY KEY REFERENCES connectors (id) ON DELETE CASCADE,
	secret_hash text NOT NULL CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
	created_at timestamptz NOT NULL DEFAULT now()
);
