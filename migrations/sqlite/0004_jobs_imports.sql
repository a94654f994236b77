-- The toolkit: jobs any server may run (toolkit::jobs) and imports of
-- spreadsheets through a preview (toolkit::import).

-- A job is claimed by one server at a time under a lease it renews; a job
-- whose server died is claimed again when its lease runs out.
CREATE TABLE jobs (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    kind                TEXT NOT NULL,
    subject_id          INTEGER NOT NULL,
    user_id             INTEGER NOT NULL REFERENCES users(id),
    status              TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    done                INTEGER NOT NULL DEFAULT 0,
    total               INTEGER NOT NULL DEFAULT 0,
    attempts            INTEGER NOT NULL DEFAULT 0,
    owner               TEXT,
    lease_until         INTEGER,
    cancel_requested    INTEGER NOT NULL DEFAULT 0,
    message             TEXT,
    created_at          TEXT NOT NULL,
    started_at          TEXT,
    finished_at         TEXT
);
CREATE INDEX jobs_by_status ON jobs (status, id);

CREATE TABLE imports (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    kind                TEXT NOT NULL,
    unit_id             INTEGER NOT NULL REFERENCES units(id),
    user_id             INTEGER NOT NULL REFERENCES users(id),
    file_name           TEXT NOT NULL,
    file_hash           TEXT NOT NULL,
    status              TEXT NOT NULL,
    header_row          INTEGER NOT NULL,
    headers             TEXT NOT NULL,
    mapping             TEXT NOT NULL,
    row_count           INTEGER NOT NULL,
    error_count         INTEGER NOT NULL DEFAULT 0,
    duplicate_count     INTEGER NOT NULL DEFAULT 0,
    created_count       INTEGER NOT NULL DEFAULT 0,
    job_id              INTEGER,
    message             TEXT,
    created_at          TEXT NOT NULL,
    committed_at        TEXT
);
CREATE INDEX imports_by_file ON imports (unit_id, kind, file_hash);
CREATE INDEX imports_by_user ON imports (user_id, id);

-- The cells of an import's data rows (JSON), until it is committed or discarded.
CREATE TABLE import_rows (
    import_id           INTEGER NOT NULL REFERENCES imports(id),
    row_no              INTEGER NOT NULL,
    cells               TEXT NOT NULL,
    PRIMARY KEY (import_id, row_no)
);

-- What the last check found: errors by row and column, and duplicates.
CREATE TABLE import_issues (
    import_id           INTEGER NOT NULL REFERENCES imports(id),
    row_no              INTEGER NOT NULL,
    column_key          TEXT NOT NULL,
    message             TEXT NOT NULL,
    record_id           INTEGER,
    label               TEXT NOT NULL,
    is_error            INTEGER NOT NULL
);
CREATE INDEX import_issues_by_row ON import_issues (import_id, is_error, row_no);

-- Column choices a user made by hand, remembered per unit and kind.
CREATE TABLE import_mappings (
    unit_id             INTEGER NOT NULL REFERENCES units(id),
    kind                TEXT NOT NULL,
    header              TEXT NOT NULL,
    column_key          TEXT NOT NULL,
    PRIMARY KEY (unit_id, kind, header)
);
