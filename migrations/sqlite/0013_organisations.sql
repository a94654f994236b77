-- The organisations registry: agencies, schools, enterprises, associations
-- and religious bodies known to a unit (placed at the unit that keeps
-- them). Collective members, sponsors and partners refer to them.
CREATE TABLE organisations (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    name                 TEXT NOT NULL,
    name_folded          TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('agency', 'school', 'enterprise', 'association', 'religious', 'other')),
    tax_code             TEXT,
    address              TEXT NOT NULL DEFAULT '',
    phone                TEXT NOT NULL DEFAULT '',
    email                TEXT NOT NULL DEFAULT '',
    representative       TEXT NOT NULL DEFAULT '',
    representative_title TEXT NOT NULL DEFAULT '',
    representative_phone TEXT NOT NULL DEFAULT '',
    note                 TEXT NOT NULL DEFAULT '',
    unit_id              INTEGER NOT NULL REFERENCES units(id),
    province_id          INTEGER REFERENCES units(id),
    commune_id           INTEGER REFERENCES units(id),
    branch_id            INTEGER REFERENCES units(id),
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE UNIQUE INDEX organisations_by_tax_code ON organisations (tax_code);
CREATE INDEX organisations_by_unit ON organisations (unit_id);
CREATE INDEX organisations_in_province ON organisations (province_id, name_folded);
CREATE INDEX organisations_in_commune ON organisations (commune_id, name_folded);
CREATE INDEX organisations_in_branch ON organisations (branch_id, id);

-- An organisation that joined a branch as a collective member, with the
-- number of its people who take part (its head-count).
CREATE TABLE collective_members (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id  INTEGER NOT NULL UNIQUE REFERENCES organisations(id),
    joined_on        TEXT NOT NULL,
    head_count       INTEGER NOT NULL CHECK (head_count >= 0),
    status           TEXT NOT NULL CHECK (status IN ('active', 'left')),
    status_on        TEXT NOT NULL,
    reason           TEXT NOT NULL DEFAULT '',
    unit_id          INTEGER NOT NULL REFERENCES units(id),
    province_id      INTEGER REFERENCES units(id),
    commune_id       INTEGER REFERENCES units(id),
    branch_id        INTEGER REFERENCES units(id),
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX collective_members_by_unit ON collective_members (unit_id);
CREATE INDEX collective_members_in_province ON collective_members (province_id, id);
CREATE INDEX collective_members_in_commune ON collective_members (commune_id, id);
CREATE INDEX collective_members_in_branch ON collective_members (branch_id, id);
