-- +goose Up
-- Spaces at Risk casework (issue 16, DESIGN §10 "Casework"): a group asks
-- for one-to-one support with a space (support_requests); a caseworker
-- triages it (accept, refer, decline); an accepted request becomes a case
-- worked by its caseworker under CaseWorkflow (case:<id>), which alone
-- writes the case's rows after it opens: a plan of actions, a log of
-- contacts, notes (private to staff or shared with the group), key dates,
-- documents and an outcome at closure.

-- How many working days a programme promises between accepting a request
-- and first contact (NULL: GRANTS_CASE_FIRST_CONTACT_DAYS).
ALTER TABLE programmes ADD COLUMN case_first_contact_days integer
    CHECK (case_first_contact_days BETWEEN 1 AND 60);

CREATE TABLE support_requests (
    id                  text PRIMARY KEY,
    organisation_id     text NOT NULL REFERENCES organisations (id),
    programme_id        text REFERENCES programmes (id),
    -- Set when a Spaces at Risk application's support question opened it.
    application_id      text UNIQUE REFERENCES applications (id),
    requested_by        text NOT NULL REFERENCES users (id),
    space_name          text NOT NULL,
    space_kind          text NOT NULL DEFAULT 'other' CHECK (space_kind IN ('community_centre', 'social_club',
        'youth_space', 'cultural_space', 'faith_space', 'sports_space', 'education_space', 'other')),
    address             jsonb NOT NULL,
    borough_name        text NOT NULL,
    borough_gss         text NOT NULL CHECK (borough_gss ~ '^E090000[0-3][0-9]$'),
    uses                text[] NOT NULL DEFAULT '{}',
    used_by             text NOT NULL DEFAULT '',
    weekly_users        integer NOT NULL CHECK (weekly_users >= 0),
    tenure              text NOT NULL CHECK (tenure IN ('owned', 'lease', 'licence', 'informal')),
    landlord_type       text CHECK (landlord_type IN ('council', 'housing_association', 'private', 'charity',
        'faith_group', 'other')),
    tenure_ends_on      date,
    annual_rent_pence   bigint CHECK (annual_rent_pence >= 0),
    rent_changes        text NOT NULL DEFAULT '',
    risk_kind           text NOT NULL CHECK (risk_kind IN ('lease_ending', 'rent_rise', 'sale_or_redevelopment',
        'planning', 'licensing', 'business_rates', 'building_condition', 'funding', 'other')),
    risk_key_date       date,
    risk_key_date_kind  text CHECK (risk_key_date_kind IN ('lease_end', 'notice', 'hearing', 'planning_decision',
        'rent_review', 'other')),
    risk_description    text NOT NULL,
    urgency             text NOT NULL CHECK (urgency IN ('low', 'medium', 'high')),
    -- Equity (DESIGN §10 priority): led by and for communities facing the
    -- greatest inequalities, as the group says; turnover is read from the
    -- organisation.
    led_by_community    boolean NOT NULL DEFAULT false,
    consent_to_share    boolean NOT NULL,
    status              text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'accepted', 'referred', 'declined')),
    triaged_by          text REFERENCES users (id),
    triaged_at          timestamptz,
    triage_reason       text,
    referred_to         text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT support_requests_triaged CHECK ((status = 'new') = (triaged_at IS NULL)),
    CONSTRAINT support_requests_referred CHECK ((status = 'referred') = (referred_to IS NOT NULL))
);
CREATE INDEX support_requests_organisation ON support_requests (organisation_id, created_at DESC);
CREATE INDEX support_requests_new ON support_requests (created_at) WHERE status = 'new';
CREATE INDEX support_requests_borough ON support_requests (borough_gss, space_kind);

CREATE TABLE cases (
    id                    text PRIMARY KEY,
    support_request_id    text NOT NULL UNIQUE REFERENCES support_requests (id),
    organisation_id       text NOT NULL REFERENCES organisations (id),
    caseworker_id         text NOT NULL REFERENCES users (id),
    status                text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    opened_at             timestamptz NOT NULL,
    opened_by             text NOT NULL REFERENCES users (id),
    -- The promise: first contact by the end of this London day.
    first_contact_due_on  date NOT NULL,
    first_contact_at      timestamptz,
    outcome               text CHECK (outcome IN ('secured', 'lease_renewed', 'rent_reduced', 'relocated', 'lost',
        'referred')),
    outcome_summary       text,
    closed_at             timestamptz,
    closed_by             text REFERENCES users (id),
    -- What CaseWorkflow has done about the clock, so a retried activity
    -- or a replayed timer tells nobody twice.
    first_contact_escalated_at timestamptz,
    review_due_on         date,
    review_reminded_on    date,
    version               integer NOT NULL DEFAULT 1,
    CONSTRAINT cases_closed CHECK ((status = 'closed') = (closed_at IS NOT NULL AND outcome IS NOT NULL
        AND outcome_summary IS NOT NULL AND closed_by IS NOT NULL))
);
CREATE INDEX cases_caseworker ON cases (caseworker_id, status);
CREATE INDEX cases_organisation ON cases (organisation_id);

CREATE TABLE case_actions (
    id            text PRIMARY KEY,
    case_id       text NOT NULL REFERENCES cases (id),
    title         text NOT NULL,
    -- Who has promised to do it: a staff member or a member of the group
    -- (NULL: the case's caseworker).
    owner_id      text REFERENCES users (id),
    due_on        date NOT NULL,
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    created_by    text NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL,
    done_at       timestamptz,
    done_by       text REFERENCES users (id),
    reminded_at   timestamptz,
    escalated_at  timestamptz,
    CONSTRAINT case_actions_done CHECK ((status = 'done') = (done_at IS NOT NULL))
);
CREATE INDEX case_actions_case ON case_actions (case_id, due_on);

CREATE TABLE case_notes (
    id          text PRIMARY KEY,
    case_id     text NOT NULL REFERENCES cases (id),
    body        text NOT NULL,
    shared      boolean NOT NULL,
    author_id   text NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, created_at);

CREATE TABLE case_contacts (
    id           text PRIMARY KEY,
    case_id      text NOT NULL REFERENCES cases (id),
    at           timestamptz NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('call', 'meeting', 'email', 'visit')),
    minutes      integer NOT NULL CHECK (minutes BETWEEN 0 AND 1440),
    summary      text NOT NULL,
    recorded_by  text NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL
);
CREATE INDEX case_contacts_case ON case_contacts (case_id, at);

CREATE TABLE case_key_dates (
    id              text PRIMARY KEY,
    case_id         text NOT NULL REFERENCES cases (id),
    kind            text NOT NULL CHECK (kind IN ('lease_end', 'notice', 'hearing', 'planning_decision', 'rent_review',
        'other')),
    "on"            date NOT NULL,
    description     text NOT NULL,
    created_by      text NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL,
    -- Reminders sent (a week before, the working day before).
    reminded_week_at timestamptz,
    reminded_day_at  timestamptz
);
CREATE INDEX case_key_dates_case ON case_key_dates (case_id, "on");

-- A case's documents (a lease, a landlord's letter, a planning notice),
-- kept in the same blob store as an application's, by id.
CREATE TABLE case_documents (
    id            text PRIMARY KEY,
    case_id       text NOT NULL REFERENCES cases (id),
    filename      text NOT NULL,
    content_type  text NOT NULL,
    size_bytes    bigint NOT NULL CHECK (size_bytes > 0),
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    -- Shared documents are seen by the group; the others by staff only.
    shared        boolean NOT NULL,
    uploaded_by   text NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_documents_case ON case_documents (case_id, created_at);

-- +goose Down
DROP TABLE case_documents;
DROP TABLE case_key_dates;
DROP TABLE case_contacts;
DROP TABLE case_notes;
DROP TABLE case_actions;
DROP TABLE cases;
DROP TABLE support_requests;
ALTER TABLE programmes DROP COLUMN case_first_contact_days;
