-- Teams (đội hình) of volunteers, belonging to a unit (placed like any
-- record), with a leader among their members.
CREATE TABLE teams (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('first_aid', 'disaster_response', 'water_rescue', 'youth', 'blood_donor')),
    status          TEXT NOT NULL CHECK (status IN ('active', 'disbanded')),
    leader_id       INTEGER REFERENCES volunteers(id),
    note            TEXT NOT NULL DEFAULT '',
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    province_id     INTEGER REFERENCES units(id),
    commune_id      INTEGER REFERENCES units(id),
    branch_id       INTEGER REFERENCES units(id),
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX teams_by_unit ON teams (unit_id);
CREATE INDEX teams_in_province ON teams (province_id, id);
CREATE INDEX teams_in_commune ON teams (commune_id, id);
CREATE INDEX teams_in_branch ON teams (branch_id, id);

CREATE TABLE team_members (
    team_id         INTEGER NOT NULL REFERENCES teams(id),
    volunteer_id    INTEGER NOT NULL REFERENCES volunteers(id),
    joined_on       TEXT NOT NULL,
    PRIMARY KEY (team_id, volunteer_id)
);
CREATE INDEX team_members_by_volunteer ON team_members (volunteer_id);
