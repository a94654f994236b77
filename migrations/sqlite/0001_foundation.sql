-- Foundation: organisation tree, reform mapping, accounts, sessions,
-- persons with their search index, and the append-only audit trail.
-- Timestamps are UTC RFC 3339 text with milliseconds (text order = time order).

CREATE TABLE units (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    -- Matching key of the name (org::reform::commune_key): folded, type word dropped.
    name_key        TEXT NOT NULL,
    level           TEXT NOT NULL CHECK (level IN ('central', 'province', 'commune', 'branch')),
    kind            TEXT NOT NULL,
    parent_id       INTEGER REFERENCES units(id),
    province_id     INTEGER REFERENCES units(id),
    commune_id      INTEGER REFERENCES units(id),
    branch_id       INTEGER REFERENCES units(id),
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed', 'merged')),
    merged_into_id  INTEGER REFERENCES units(id),
    created_at      TEXT NOT NULL,
    closed_at       TEXT
);
CREATE INDEX units_by_parent ON units (parent_id, code);
CREATE INDEX units_by_name_key ON units (name_key);
CREATE INDEX units_by_province ON units (province_id, level);
CREATE INDEX units_by_commune ON units (commune_id, level);
CREATE INDEX units_by_merge ON units (merged_into_id);

-- The 2025 reform: pre-2025 commune -> the 2025 commune it went into.
CREATE TABLE reform_communes (
    old_code            TEXT NOT NULL,
    old_name            TEXT NOT NULL,
    old_key             TEXT NOT NULL,
    old_district_name   TEXT NOT NULL,
    old_province_code   TEXT NOT NULL,
    old_province_name   TEXT NOT NULL,
    new_code            TEXT NOT NULL,
    note                TEXT NOT NULL,
    PRIMARY KEY (old_code, new_code)
);
CREATE INDEX reform_by_key ON reform_communes (old_key);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE grants (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    role        TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'viewer')),
    created_at  TEXT NOT NULL,
    UNIQUE (user_id, unit_id)
);
CREATE INDEX grants_by_unit ON grants (unit_id);

CREATE TABLE login_failures (
    throttle_key    TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    window_start    TEXT NOT NULL
);

CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    data        TEXT NOT NULL,
    -- The signed-in user, so that all of a user's sessions can be ended.
    user_id     INTEGER,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE persons (
    id                  INTEGER PRIMARY KEY,
    full_name           TEXT NOT NULL,
    name_folded         TEXT NOT NULL,
    sort_key            TEXT NOT NULL,
    sex                 TEXT NOT NULL CHECK (sex IN ('M', 'F')),
    birth_year          INTEGER,
    birth_date          TEXT,
    cccd                TEXT UNIQUE,
    phone               TEXT,
    address_commune_id  INTEGER REFERENCES units(id),
    address_detail      TEXT NOT NULL DEFAULT '',
    unit_id             INTEGER NOT NULL REFERENCES units(id),
    province_id         INTEGER REFERENCES units(id),
    commune_id          INTEGER REFERENCES units(id),
    branch_id           INTEGER REFERENCES units(id),
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX persons_by_phone ON persons (phone);
CREATE INDEX persons_sorted ON persons (sort_key, id);
CREATE INDEX persons_in_province ON persons (province_id, sort_key, id);
CREATE INDEX persons_in_commune ON persons (commune_id, sort_key, id);
CREATE INDEX persons_in_branch ON persons (branch_id, sort_key, id);

-- Unaccented name search. The document also carries the record's place in
-- the tree as tokens (p<id> c<id> b<id>), so a scoped search is one index
-- intersection instead of a post-filter over every namesake in the country.
-- detail=none: only which rows hold a token, no positions (no phrase search).
CREATE VIRTUAL TABLE person_search USING fts5 (
    doc, content = '', contentless_delete = 1, detail = none,
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER persons_search_insert AFTER INSERT ON persons BEGIN
    INSERT INTO person_search (rowid, doc) VALUES (new.id,
        ifnull('p' || new.province_id, '') || ifnull(' c' || new.commune_id, '') ||
        ifnull(' b' || new.branch_id, '') || ' ' || new.name_folded);
END;
CREATE TRIGGER persons_search_update
AFTER UPDATE OF name_folded, province_id, commune_id, branch_id ON persons BEGIN
    DELETE FROM person_search WHERE rowid = old.id;
    INSERT INTO person_search (rowid, doc) VALUES (new.id,
        ifnull('p' || new.province_id, '') || ifnull(' c' || new.commune_id, '') ||
        ifnull(' b' || new.branch_id, '') || ' ' || new.name_folded);
END;
CREATE TRIGGER persons_search_delete AFTER DELETE ON persons BEGIN
    DELETE FROM person_search WHERE rowid = old.id;
END;

CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    user_id         INTEGER,
    username        TEXT NOT NULL,
    actor_unit_id   INTEGER,
    action          TEXT NOT NULL,
    entity          TEXT NOT NULL,
    entity_id       INTEGER,
    summary         TEXT NOT NULL,
    province_id     INTEGER,
    commune_id      INTEGER,
    branch_id       INTEGER,
    before_json     TEXT,
    after_json      TEXT
);
CREATE INDEX audit_by_entity ON audit_log (entity, entity_id, id);
CREATE INDEX audit_by_province ON audit_log (province_id, id);
CREATE INDEX audit_by_commune ON audit_log (commune_id, id);
CREATE INDEX audit_by_branch ON audit_log (branch_id, id);

-- Nobody edits history, not even with direct SQL through the application.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
