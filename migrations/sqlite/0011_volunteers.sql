-- Volunteers (tình nguyện viên): one record per person, placed where the
-- person sits (a commune or a branch), with skills, certificates, hours,
-- and the queue of public sign-ups each commune approves.
CREATE TABLE volunteers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id       INTEGER NOT NULL UNIQUE REFERENCES persons(id),
    status          TEXT NOT NULL CHECK (status IN ('active', 'paused', 'left')),
    joined_on       TEXT NOT NULL,
    -- Slots the volunteer offers, comma-separated (volunteers::model::Slot).
    availability    TEXT NOT NULL DEFAULT '',
    -- Not to be called out until this day (inclusive); NULL: available.
    away_until      TEXT,
    emergency_name  TEXT NOT NULL DEFAULT '',
    emergency_phone TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    province_id     INTEGER REFERENCES units(id),
    commune_id      INTEGER REFERENCES units(id),
    branch_id       INTEGER REFERENCES units(id),
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX volunteers_by_unit ON volunteers (unit_id);
CREATE INDEX volunteers_in_province ON volunteers (province_id, id);
CREATE INDEX volunteers_in_commune ON volunteers (commune_id, id);
CREATE INDEX volunteers_in_branch ON volunteers (branch_id, id);

CREATE TABLE volunteer_skills (
    volunteer_id    INTEGER NOT NULL REFERENCES volunteers(id),
    skill           TEXT NOT NULL,
    PRIMARY KEY (volunteer_id, skill)
);
CREATE INDEX volunteer_skills_by_skill ON volunteer_skills (skill, volunteer_id);

-- A certificate proves a skill until it expires (NULL: never).
CREATE TABLE volunteer_certificates (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    volunteer_id    INTEGER NOT NULL REFERENCES volunteers(id),
    skill           TEXT NOT NULL,
    title           TEXT NOT NULL,
    issuer          TEXT NOT NULL DEFAULT '',
    issued_on       TEXT NOT NULL,
    expires_on      TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX volunteer_certificates_by_volunteer ON volunteer_certificates (volunteer_id, skill, expires_on);
CREATE INDEX volunteer_certificates_by_expiry ON volunteer_certificates (expires_on);

-- Hours given, per activity; tenths of an hour.
CREATE TABLE volunteer_hours (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    volunteer_id    INTEGER NOT NULL REFERENCES volunteers(id),
    on_date         TEXT NOT NULL,
    place           TEXT NOT NULL DEFAULT '',
    activity        TEXT NOT NULL,
    tenths          INTEGER NOT NULL CHECK (tenths > 0 AND tenths <= 240),
    username        TEXT NOT NULL,
    at              TEXT NOT NULL
);
CREATE INDEX volunteer_hours_by_volunteer ON volunteer_hours (volunteer_id, on_date);

-- Sign-ups sent through the public form, placed at the chosen commune
-- until its staff approve (a person and a volunteer are created) or
-- decline them.
CREATE TABLE volunteer_signups (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    province_id     INTEGER REFERENCES units(id),
    commune_id      INTEGER REFERENCES units(id),
    branch_id       INTEGER REFERENCES units(id),
    full_name       TEXT NOT NULL,
    sex             TEXT NOT NULL,
    birth_date      TEXT NOT NULL,
    phone           TEXT NOT NULL,
    address_detail  TEXT NOT NULL DEFAULT '',
    skills          TEXT NOT NULL DEFAULT '',
    availability    TEXT NOT NULL DEFAULT '',
    emergency_name  TEXT NOT NULL DEFAULT '',
    emergency_phone TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
    received_at     TEXT NOT NULL,
    decided_by      TEXT,
    decided_at      TEXT,
    reason          TEXT NOT NULL DEFAULT '',
    volunteer_id    INTEGER REFERENCES volunteers(id)
);
CREATE INDEX volunteer_signups_in_commune ON volunteer_signups (commune_id, status, id);
CREATE INDEX volunteer_signups_in_province ON volunteer_signups (province_id, status, id);
CREATE INDEX volunteer_signups_by_unit ON volunteer_signups (unit_id);
CREATE INDEX volunteer_signups_in_branch ON volunteer_signups (branch_id, id);

-- Requests of anonymous forms per key (form and address) in a window,
-- counted in the database so every server sees the same counts.
CREATE TABLE rate_counts (
    rate_key        TEXT PRIMARY KEY,
    hits            INTEGER NOT NULL,
    window_start    TEXT NOT NULL
);
