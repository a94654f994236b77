-- Hardening: ids are never reused, counters kept per unit, login
-- throttling per account and address, audit entries that remember where a
-- moved record was, and a version per user and for the tree (caches).
--
-- SQLite hands out max(id) + 1, so deleting the newest row let its id be
-- reused; AUTOINCREMENT never reuses one. A column cannot be altered, so
-- every table with a numeric id is rebuilt. sqlx runs this in one
-- transaction with foreign keys on: tables are renamed out of the way
-- (their references follow them), new ones created and filled, and the
-- old ones dropped children first, so no reference ever dangles.

PRAGMA defer_foreign_keys = ON;

ALTER TABLE grants RENAME TO grants_old;
ALTER TABLE persons RENAME TO persons_old;
ALTER TABLE audit_log RENAME TO audit_log_old;
ALTER TABLE units RENAME TO units_old;
ALTER TABLE users RENAME TO users_old;

CREATE TABLE units (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO units SELECT id, code, name, name_key, level, kind, parent_id, province_id, commune_id,
    branch_id, status, merged_into_id, created_at, closed_at FROM units_old;

CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    username        TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1,
    -- Bumped whenever the user's roles or standing change: a cached
    -- principal with another version is stale.
    auth_version    INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
INSERT INTO users (id, username, display_name, password_hash, active, created_at, updated_at)
    SELECT id, username, display_name, password_hash, active, created_at, updated_at FROM users_old;

CREATE TABLE grants (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    role        TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'viewer')),
    created_at  TEXT NOT NULL,
    UNIQUE (user_id, unit_id)
);
INSERT INTO grants SELECT id, user_id, unit_id, role, created_at FROM grants_old;

CREATE TABLE persons (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
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
-- Ids as they were: the search index is keyed by them.
INSERT INTO persons SELECT id, full_name, name_folded, sort_key, sex, birth_year, birth_date, cccd, phone,
    address_commune_id, address_detail, unit_id, province_id, commune_id, branch_id, version,
    created_at, updated_at FROM persons_old;

CREATE TABLE audit_log (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    at                  TEXT NOT NULL,
    user_id             INTEGER,
    username            TEXT NOT NULL,
    actor_unit_id       INTEGER,
    action              TEXT NOT NULL,
    entity              TEXT NOT NULL,
    entity_id           INTEGER,
    summary             TEXT NOT NULL,
    province_id         INTEGER,
    commune_id          INTEGER,
    branch_id           INTEGER,
    -- Where a record that this change moved was before: its old unit's
    -- supervisors read the entry too.
    prev_province_id    INTEGER,
    prev_commune_id     INTEGER,
    prev_branch_id      INTEGER,
    before_json         TEXT,
    after_json          TEXT
);
INSERT INTO audit_log (id, at, user_id, username, actor_unit_id, action, entity, entity_id, summary,
    province_id, commune_id, branch_id, before_json, after_json)
    SELECT id, at, user_id, username, actor_unit_id, action, entity, entity_id, summary,
    province_id, commune_id, branch_id, before_json, after_json FROM audit_log_old;

-- The copies above set each table's sequence to its largest id. Ids
-- deleted before this migration are known from the audit trail: they are
-- never handed out again either.
INSERT INTO sqlite_sequence (name, seq) SELECT t.name, 0 FROM (SELECT 'units' AS name UNION ALL
    SELECT 'users' UNION ALL SELECT 'persons') t
    WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence s WHERE s.name = t.name);
UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT COALESCE(MAX(entity_id), 0) FROM audit_log WHERE entity = 'person'))
    WHERE name = 'persons';
UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT COALESCE(MAX(entity_id), 0) FROM audit_log WHERE entity = 'unit'))
    WHERE name = 'units';
UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT COALESCE(MAX(entity_id), 0) FROM audit_log WHERE entity = 'account'))
    WHERE name = 'users';

DROP TABLE grants_old;
DROP TABLE persons_old;
DROP TABLE audit_log_old;
DROP TABLE units_old;
DROP TABLE users_old;

CREATE INDEX units_by_parent ON units (parent_id, code);
CREATE INDEX units_by_name_key ON units (name_key);
CREATE INDEX units_by_province ON units (province_id, level);
CREATE INDEX units_by_commune ON units (commune_id, level);
CREATE INDEX units_by_merge ON units (merged_into_id);
CREATE INDEX grants_by_unit ON grants (unit_id);
CREATE INDEX persons_by_phone ON persons (phone);
CREATE INDEX persons_by_unit ON persons (unit_id);
CREATE INDEX persons_sorted ON persons (sort_key, id);
CREATE INDEX persons_in_province ON persons (province_id, sort_key, id);
CREATE INDEX persons_in_commune ON persons (commune_id, sort_key, id);
CREATE INDEX persons_in_branch ON persons (branch_id, sort_key, id);
CREATE INDEX audit_by_entity ON audit_log (entity, entity_id, id);
CREATE INDEX audit_by_province ON audit_log (province_id, id);
CREATE INDEX audit_by_commune ON audit_log (commune_id, id);
CREATE INDEX audit_by_branch ON audit_log (branch_id, id);
CREATE INDEX audit_by_prev_province ON audit_log (prev_province_id, id);
CREATE INDEX audit_by_prev_commune ON audit_log (prev_commune_id, id);
CREATE INDEX audit_by_prev_branch ON audit_log (prev_branch_id, id);

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

-- Nobody edits history, not even with direct SQL through the application.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Records counted per unit (org::storage::counters): a row counts what is
-- placed anywhere in the unit's subtree.
CREATE TABLE unit_counts (
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    counter     TEXT NOT NULL,
    value       INTEGER NOT NULL,
    PRIMARY KEY (unit_id, counter)
);
INSERT INTO unit_counts (unit_id, counter, value)
    SELECT province_id, 'persons', COUNT(*) FROM persons WHERE province_id IS NOT NULL GROUP BY province_id;
INSERT INTO unit_counts (unit_id, counter, value)
    SELECT commune_id, 'persons', COUNT(*) FROM persons WHERE commune_id IS NOT NULL GROUP BY commune_id;
INSERT INTO unit_counts (unit_id, counter, value)
    SELECT branch_id, 'persons', COUNT(*) FROM persons WHERE branch_id IS NOT NULL GROUP BY branch_id;

-- Versions of shared state that servers cache (the tree).
CREATE TABLE versions (
    name    TEXT PRIMARY KEY,
    value   INTEGER NOT NULL
);
INSERT INTO versions (name, value) VALUES ('tree', 0);

-- Password-check throttling (accounts::throttle): counts per key in a
-- window, the next slot of a slowed-down account, addresses known to an
-- account.
DROP TABLE login_failures;
CREATE TABLE login_throttle (
    throttle_key    TEXT PRIMARY KEY,
    failures        INTEGER NOT NULL,
    window_start    TEXT NOT NULL,
    next_allowed_at TEXT
);
CREATE INDEX login_throttle_by_window ON login_throttle (window_start);

-- Sessions keep the SHA-256 of the cookie's token (web::session): the
-- database never holds a token that would sign anyone in. Everyone signs
-- in again after this migration.
DROP TABLE sessions;
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE INDEX sessions_by_user ON sessions (user_id);
