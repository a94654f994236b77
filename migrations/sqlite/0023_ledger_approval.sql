-- Four eyes: an entry above the amount in ledger_policy waits as a draft
-- (the input as typed) until another person who may write at the fund's
-- unit approves it, which appends it, or rejects it.
CREATE TABLE ledger_policy (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    approval_above  INTEGER NOT NULL CHECK (approval_above >= 0)
);
INSERT INTO ledger_policy (id, approval_above) VALUES (1, 50000000);

CREATE TABLE ledger_drafts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    fund_id         INTEGER NOT NULL REFERENCES ledger_funds(id),
    input_json      TEXT NOT NULL,
    amount          INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    created_by      INTEGER NOT NULL REFERENCES users(id),
    created_at      TEXT NOT NULL,
    decided_by      INTEGER REFERENCES users(id),
    decided_at      TEXT,
    entry_id        INTEGER REFERENCES ledger_entries(id)
);
CREATE INDEX ledger_drafts_pending ON ledger_drafts (fund_id, id) WHERE status = 'pending';
