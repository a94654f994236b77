-- A branch asks the unit holding a person (by CCCD) to let them join or
-- transfer to it. The holder (person_id) is found by the system and never
-- shown to the asking branch until the holding unit accepts.
CREATE TABLE member_requests (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    to_unit_id      INTEGER NOT NULL REFERENCES units(id),
    to_province_id  INTEGER REFERENCES units(id),
    to_commune_id   INTEGER REFERENCES units(id),
    to_branch_id    INTEGER REFERENCES units(id),
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
CREATE INDEX member_requests_to_commune ON member_requests (to_commune_id, id);
CREATE INDEX member_requests_to_province ON member_requests (to_province_id, id);
