-- A branch asks the unit holding a person (by CCCD) to let them join or
-- transfer to it. The request sits at the asking branch (placed like any
-- record, so merges move it). The holder (person_id) is found by the system and never
-- shown to the asking branch until the holding unit accepts.
CREATE TABLE member_requests (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    province_id     INTEGER REFERENCES units(id),
    commune_id      INTEGER REFERENCES units(id),
    branch_id       INTEGER REFERENCES units(id),
    cccd            TEXT NOT NULL,
    joined_on       TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    person_id       INTEGER REFERENCES persons(id) ON DELETE SET NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined')),
    requested_by    INTEGER NOT NULL REFERENCES users(id),
    requested_at    TEXT NOT NULL,
    decided_by      TEXT,
    decided_at      TEXT,
    reason          TEXT NOT NULL DEFAULT '',
    member_id       INTEGER REFERENCES members(id)
);
CREATE INDEX member_requests_by_person ON member_requests (person_id, status);
CREATE INDEX member_requests_in_commune ON member_requests (commune_id, id);
CREATE INDEX member_requests_in_province ON member_requests (province_id, id);
