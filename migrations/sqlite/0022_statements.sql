-- The record an import goes into, for kinds that ask for one (a bank
-- statement: the account it is the statement of); checked by the kind at
-- upload and handed to its check and commit.
ALTER TABLE imports ADD COLUMN target_id INTEGER;

-- Transactions of a statement that no fund could be told for (a credit
-- without a payment code into an account no appeal is paid into, or a
-- debit): staff assign them to a fund, which records the entry.
CREATE TABLE ledger_unmatched (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    account_id      INTEGER NOT NULL REFERENCES ledger_accounts(id),
    on_date         TEXT NOT NULL,
    reference       TEXT NOT NULL,
    debit           INTEGER NOT NULL,
    credit          INTEGER NOT NULL,
    -- As the bank wrote it (private: may hold account and phone numbers).
    description     TEXT NOT NULL,
    donor           TEXT NOT NULL,
    entry_id        INTEGER REFERENCES ledger_entries(id),
    created_at      TEXT NOT NULL
);
CREATE INDEX ledger_unmatched_open ON ledger_unmatched (account_id, id) WHERE entry_id IS NULL;

-- Each transaction of an account's bank statements once imported, by its
-- key (ledger::statement::row_keys: its normalised content and which
-- occurrence of it), so that the same or an overlapping statement adds
-- nothing again; with what it became (a donation entry or a line of the
-- reconciliation queue).
CREATE TABLE ledger_statement_rows (
    account_id      INTEGER NOT NULL REFERENCES ledger_accounts(id),
    row_key         TEXT NOT NULL,
    entry_id        INTEGER REFERENCES ledger_entries(id),
    unmatched_id    INTEGER REFERENCES ledger_unmatched(id),
    PRIMARY KEY (account_id, row_key)
);
