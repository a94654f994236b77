-- Members (hội viên) of a grassroots branch: one membership per person,
-- placed in the tree like the person (members::storage). The member
-- number is national and never changes, not even when the member moves.
CREATE TABLE members (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id       INTEGER NOT NULL UNIQUE REFERENCES persons(id),
    member_no       TEXT NOT NULL UNIQUE,
    joined_on       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'left', 'deceased')),
    status_on       TEXT NOT NULL,
    status_reason   TEXT NOT NULL DEFAULT '',
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    province_id     INTEGER REFERENCES units(id),
    commune_id      INTEGER REFERENCES units(id),
    branch_id       INTEGER REFERENCES units(id),
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX members_by_unit ON members (unit_id);
CREATE INDEX members_in_province ON members (province_id, id);
CREATE INDEX members_in_commune ON members (commune_id, id);
CREATE INDEX members_in_branch ON members (branch_id, id);

-- What happened to a membership, in order: joined, status changes and
-- transfers between branches (from → to), with the date it took effect.
CREATE TABLE member_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id       INTEGER NOT NULL REFERENCES members(id),
    kind            TEXT NOT NULL CHECK (kind IN ('joined', 'status', 'transfer')),
    on_date         TEXT NOT NULL,
    status          TEXT,
    reason          TEXT NOT NULL DEFAULT '',
    from_unit_id    INTEGER REFERENCES units(id),
    to_unit_id      INTEGER REFERENCES units(id),
    username        TEXT NOT NULL,
    at              TEXT NOT NULL
);
CREATE INDEX member_events_by_member ON member_events (member_id, id);
