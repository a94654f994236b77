-- Cadres (cán bộ Hội): positions held at a unit over a term, and the
-- training courses they attend with their results.
CREATE TABLE cadre_positions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id       INTEGER NOT NULL REFERENCES persons(id),
    position        TEXT NOT NULL CHECK (position IN ('chair', 'vice_chair', 'standing', 'full_time', 'part_time')),
    title           TEXT NOT NULL DEFAULT '',
    term_start      TEXT NOT NULL,
    term_end        TEXT,
    status          TEXT NOT NULL CHECK (status IN ('current', 'ended')),
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    province_id     INTEGER REFERENCES units(id),
    commune_id      INTEGER REFERENCES units(id),
    branch_id       INTEGER REFERENCES units(id),
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX cadre_positions_by_person ON cadre_positions (person_id);
CREATE INDEX cadre_positions_by_unit ON cadre_positions (unit_id);
CREATE INDEX cadre_positions_in_province ON cadre_positions (province_id, id);
CREATE INDEX cadre_positions_in_commune ON cadre_positions (commune_id, id);
CREATE INDEX cadre_positions_in_branch ON cadre_positions (branch_id, id);

CREATE TABLE training_courses (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    title           TEXT NOT NULL,
    level           TEXT NOT NULL CHECK (level IN ('central', 'province', 'commune', 'branch')),
    starts_on       TEXT NOT NULL,
    ends_on         TEXT NOT NULL,
    organiser       TEXT NOT NULL DEFAULT '',
    trainers        TEXT NOT NULL DEFAULT '',
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    province_id     INTEGER REFERENCES units(id),
    commune_id      INTEGER REFERENCES units(id),
    branch_id       INTEGER REFERENCES units(id),
    created_at      TEXT NOT NULL
);
CREATE INDEX training_courses_by_unit ON training_courses (unit_id);
CREATE INDEX training_courses_in_province ON training_courses (province_id, starts_on);
CREATE INDEX training_courses_in_commune ON training_courses (commune_id, starts_on);
CREATE INDEX training_courses_in_branch ON training_courses (branch_id, id);

CREATE TABLE course_attendance (
    course_id       INTEGER NOT NULL REFERENCES training_courses(id),
    person_id       INTEGER NOT NULL REFERENCES persons(id),
    result          TEXT NOT NULL CHECK (result IN ('attended', 'passed', 'failed')),
    username        TEXT NOT NULL,
    at              TEXT NOT NULL,
    PRIMARY KEY (course_id, person_id)
);
CREATE INDEX course_attendance_by_person ON course_attendance (person_id, course_id);
