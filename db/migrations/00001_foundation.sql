-- +goose Up

-- People. Passwords are bcrypt hashes; roles are global staff roles.
CREATE TABLE users (
    id            text PRIMARY KEY,
    email         text NOT NULL,
    name          text NOT NULL,
    password_hash text NOT NULL,
    roles         text[] NOT NULL DEFAULT '{}',
    affiliations  jsonb NOT NULL DEFAULT '[]',
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_roles_known CHECK (roles <@ ARRAY['manager', 'chair', 'assessor', 'finance']::text[]),
    CONSTRAINT users_email_shape CHECK (position('@' IN email) > 1)
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- API bearer tokens and web sessions, stored as SHA-256 of the secret.
CREATE TABLE auth_tokens (
    token_hash   bytea PRIMARY KEY,
    user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('api', 'session')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX auth_tokens_user ON auth_tokens (user_id);

CREATE TABLE programmes (
    id          text PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    description text NOT NULL DEFAULT ''
);

-- A round's full definition (tiers, eligibility, form, criteria, timeline,
-- report form, payment schedule) is kept as the manager posted it in
-- definition; the columns beside it are the parts queries filter or lock on.
CREATE TABLE rounds (
    id           text PRIMARY KEY,
    programme_id text NOT NULL REFERENCES programmes (id),
    name         text NOT NULL,
    opens_at     timestamptz NOT NULL,
    closes_at    timestamptz NOT NULL,
    budget_pence bigint NOT NULL CHECK (budget_pence > 0),
    min_partners integer NOT NULL CHECK (min_partners >= 0),
    definition   jsonb NOT NULL,
    created_by   text REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT rounds_window CHECK (opens_at < closes_at)
);
CREATE INDEX rounds_programme ON rounds (programme_id);

CREATE TABLE organisations (
    id                   text PRIMARY KEY,
    name                 text NOT NULL,
    legal_form           text NOT NULL CHECK (legal_form IN ('charity', 'cio', 'company', 'cic', 'community_group', 'unconstituted_group')),
    charity_number       text,
    company_number       text,
    borough_name         text NOT NULL,
    borough_gss          text NOT NULL CHECK (borough_gss ~ '^E090000[0-3][0-9]$'),
    address              jsonb NOT NULL,
    annual_income_pence  bigint NOT NULL CHECK (annual_income_pence >= 0),
    host_organisation_id text REFERENCES organisations (id),
    host_consented_at    timestamptz,
    host_consented_by    text REFERENCES users (id),
    created_by           text NOT NULL REFERENCES users (id),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT organisations_host CHECK ((legal_form = 'unconstituted_group') = (host_organisation_id IS NOT NULL)),
    CONSTRAINT organisations_not_own_host CHECK (host_organisation_id <> id)
);

CREATE TABLE organisation_members (
    organisation_id text NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    user_id         text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            text NOT NULL CHECK (role IN ('admin', 'member')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organisation_id, user_id)
);
CREATE INDEX organisation_members_user ON organisation_members (user_id);

CREATE TABLE applications (
    id              text PRIMARY KEY,
    round_id        text NOT NULL REFERENCES rounds (id),
    organisation_id text NOT NULL REFERENCES organisations (id),
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'ineligible', 'in_assessment', 'approved', 'rejected', 'waitlisted', 'withdrawn')),
    tier            text,
    requested_pence bigint CHECK (requested_pence >= 0),
    answers         jsonb NOT NULL DEFAULT '{}',
    partners        jsonb NOT NULL DEFAULT '[]',
    version         integer NOT NULL DEFAULT 1,
    eligibility     jsonb,
    grant_id        text,
    created_by      text NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    submitted_at    timestamptz,
    CONSTRAINT applications_one_per_round UNIQUE (round_id, organisation_id),
    CONSTRAINT applications_answers_object CHECK (jsonb_typeof(answers) = 'object'),
    CONSTRAINT applications_partners_array CHECK (jsonb_typeof(partners) = 'array')
);
CREATE INDEX applications_organisation ON applications (organisation_id);
CREATE INDEX applications_round_status ON applications (round_id, status);

-- Uploaded files; content lives in the document store under sha256.
CREATE TABLE documents (
    id             text PRIMARY KEY,
    application_id text NOT NULL REFERENCES applications (id),
    filename       text NOT NULL,
    content_type   text NOT NULL,
    size_bytes     bigint NOT NULL CHECK (size_bytes > 0),
    sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    uploaded_by    text NOT NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX documents_application ON documents (application_id);

-- Transactional outbox: rows written in the same transaction as the change
-- they announce; the dispatcher turns them into workflow starts.
CREATE TABLE outbox (
    id            bigserial PRIMARY KEY,
    kind          text NOT NULL,
    payload       jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    available_at  timestamptz NOT NULL DEFAULT now(),
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text,
    dispatched_at timestamptz
);
CREATE INDEX outbox_pending ON outbox (available_at, id) WHERE dispatched_at IS NULL;

-- Append-only audit log: one hash chain per case (application:<id>, ...).
CREATE TABLE audit_events (
    id        bigserial PRIMARY KEY,
    chain     text NOT NULL,
    seq       bigint NOT NULL CHECK (seq > 0),
    at        timestamptz NOT NULL,
    actor     text NOT NULL,
    action    text NOT NULL,
    entity    text NOT NULL,
    data      jsonb NOT NULL,
    prev_hash bytea NOT NULL,
    hash      bytea NOT NULL,
    CONSTRAINT audit_events_chain_seq UNIQUE (chain, seq)
);

-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- +goose Down
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE outbox;
DROP TABLE documents;
DROP TABLE applications;
DROP TABLE organisation_members;
DROP TABLE organisations;
DROP TABLE rounds;
DROP TABLE programmes;
DROP TABLE auth_tokens;
DROP TABLE users;
