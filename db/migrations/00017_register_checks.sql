-- +goose Up
-- Organisations are who they say (issue 17 parts 1–2, DESIGN §10): a
-- registered charity or company number belongs to one organisation, and
-- organisations are checked against the Charity Commission and Companies
-- House registers: when created, when an application is submitted and
-- before each tranche is paid.

-- A number belongs to one organisation. Numbers are stored normalised
-- (upper case, no spaces: organisation.NormaliseNumber), so a plain unique
-- index is the normalised one.
CREATE UNIQUE INDEX organisations_charity_number ON organisations (charity_number) WHERE charity_number IS NOT NULL;
CREATE UNIQUE INDEX organisations_company_number ON organisations (company_number) WHERE company_number IS NOT NULL;

-- One check of one organisation against one register. A check is written
-- when something asks for it (trigger: the organisation's creation, an
-- application's submission, a payment) with status not_run and no
-- checked_at while it waits for its activity (details say why: queued, or
-- no key configured); the activity fills in status, details and
-- checked_at. An organisation's checks as shown are its latest row per
-- source.
CREATE TABLE organisation_checks (
    id              text PRIMARY KEY,
    organisation_id text NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    source          text NOT NULL CHECK (source IN ('charity_commission', 'companies_house')),
    number          text NOT NULL,
    status          text NOT NULL CHECK (status IN ('passed', 'failed', 'not_run', 'error')),
    details         jsonb NOT NULL DEFAULT '{}',
    checked_at      timestamptz,
    trigger_kind    text NOT NULL CHECK (trigger_kind IN ('creation', 'update', 'submission', 'payment', 'manual')),
    trigger_id      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organisation_checks_latest ON organisation_checks (organisation_id, source, created_at DESC, id DESC);
-- One check per organisation, source and trigger: a retried activity or
-- transaction adds nothing.
CREATE UNIQUE INDEX organisation_checks_trigger ON organisation_checks (organisation_id, source, trigger_kind, trigger_id)
    WHERE trigger_kind IN ('submission', 'payment');

-- What a register answered, cached by source and number for a day
-- (registers.CacheTTL): status, details and fetched_at. Errors are never
-- cached.
CREATE TABLE register_cache (
    source     text NOT NULL CHECK (source IN ('charity_commission', 'companies_house')),
    number     text NOT NULL,
    status     text NOT NULL CHECK (status IN ('passed', 'failed')),
    details    jsonb NOT NULL,
    fetched_at timestamptz NOT NULL,
    PRIMARY KEY (source, number)
);

-- +goose Down
DROP TABLE register_cache;
DROP TABLE organisation_checks;
DROP INDEX organisations_company_number;
DROP INDEX organisations_charity_number;
