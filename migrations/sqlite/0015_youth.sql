-- Youth Red Cross (Chữ thập đỏ thanh thiếu niên): pupils and students in
-- school branches, with their class and school year. A role of a person,
-- placed where the person is.
CREATE TABLE youth_members (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id       INTEGER NOT NULL UNIQUE REFERENCES persons(id),
    class_name      TEXT NOT NULL,
    school_year     TEXT NOT NULL,
    joined_on       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('active', 'left')),
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    province_id     INTEGER REFERENCES units(id),
    commune_id      INTEGER REFERENCES units(id),
    branch_id       INTEGER REFERENCES units(id),
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX youth_members_by_unit ON youth_members (unit_id);
CREATE INDEX youth_members_in_province ON youth_members (province_id, id);
CREATE INDEX youth_members_in_commune ON youth_members (commune_id, id);
CREATE INDEX youth_members_in_branch ON youth_members (branch_id, id);
