-- The ledger (ledger::): accounts and funds held by units, and each unit's
-- append-only chain of balanced entries. Entries and their lines are never
-- updated or deleted (triggers below; a mistake is reversed by a new
-- entry), and a merge never moves them: a merged unit's chain is closed.
-- Amounts are whole đồng.

-- Where a unit keeps money or goods: a bank account, a cash box, in-kind stock.
CREATE TABLE ledger_accounts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL CHECK (kind IN ('bank', 'cash', 'in_kind')),
    name            TEXT NOT NULL,
    bank_name       TEXT NOT NULL DEFAULT '',
    bank_bin        TEXT NOT NULL DEFAULT '',
    account_no      TEXT NOT NULL DEFAULT '',
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    province_id     INTEGER REFERENCES units(id),
    commune_id      INTEGER REFERENCES units(id),
    branch_id       INTEGER REFERENCES units(id),
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX ledger_accounts_by_unit ON ledger_accounts (unit_id);

-- What money is for: the unit's general fund, its Red Cross fund, and one
-- restricted fund per appeal (purpose, target, dates, dedicated account).
CREATE TABLE ledger_funds (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL CHECK (kind IN ('general', 'red_cross', 'appeal')),
    name            TEXT NOT NULL,
    purpose         TEXT NOT NULL DEFAULT '',
    target          INTEGER CHECK (target IS NULL OR target > 0),
    opens_on        TEXT,
    closes_on       TEXT,
    account_id      INTEGER REFERENCES ledger_accounts(id),
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    province_id     INTEGER REFERENCES units(id),
    commune_id      INTEGER REFERENCES units(id),
    branch_id       INTEGER REFERENCES units(id),
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX ledger_funds_by_unit ON ledger_funds (unit_id);

-- One entry of a unit's chain (ledger::chain): `seq` counts from 1 with no
-- gap; `hash` covers `prev_hash`, the public columns, the lines and
-- `commitment` (the salted hash of `private_json`).
CREATE TABLE ledger_entries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    seq             INTEGER NOT NULL CHECK (seq >= 1),
    on_date         TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('donation', 'transfer', 'disbursement', 'purchase', 'operating', 'reversal')),
    description     TEXT NOT NULL,
    counterparty    TEXT NOT NULL,
    reference       TEXT NOT NULL,
    reverses        INTEGER,
    amount          INTEGER NOT NULL CHECK (amount > 0),
    -- The fund of all its lines (none when they name several): lists per fund.
    fund_id         INTEGER REFERENCES ledger_funds(id),
    -- Folded counterparty and description, for searches without accents.
    search_text     TEXT NOT NULL,
    private_json    TEXT NOT NULL,
    salt            TEXT NOT NULL,
    commitment      TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL,
    -- The account that appended it (none: the command line).
    created_by      INTEGER REFERENCES users(id),
    created_at      TEXT NOT NULL,
    UNIQUE (unit_id, seq),
    -- A reversal names an earlier entry of its chain, reversed at most once.
    UNIQUE (unit_id, reverses),
    FOREIGN KEY (unit_id, reverses) REFERENCES ledger_entries (unit_id, seq),
    CHECK (reverses IS NULL OR reverses < seq),
    CHECK ((kind = 'reversal') = (reverses IS NOT NULL))
);
-- A fund's entries as its public page lists them: newest first, by amount.
CREATE INDEX ledger_entries_by_fund ON ledger_entries (fund_id, on_date, id);
CREATE INDEX ledger_entries_by_fund_amount ON ledger_entries (fund_id, amount, id);

CREATE TABLE ledger_lines (
    entry_id        INTEGER NOT NULL REFERENCES ledger_entries(id),
    n               INTEGER NOT NULL,
    fund_id         INTEGER NOT NULL REFERENCES ledger_funds(id),
    head            TEXT NOT NULL CHECK (head IN ('holding', 'income', 'disbursement', 'purchase', 'operating', 'transfer')),
    account_id      INTEGER REFERENCES ledger_accounts(id),
    debit           INTEGER NOT NULL CHECK (debit >= 0),
    credit          INTEGER NOT NULL CHECK (credit >= 0),
    PRIMARY KEY (entry_id, n),
    CHECK ((debit > 0) <> (credit > 0)),
    CHECK ((head = 'holding') = (account_id IS NOT NULL))
);
CREATE INDEX ledger_lines_by_fund ON ledger_lines (fund_id, entry_id);

-- Where each unit's chain ends: the lock appends take, and what a removed
-- last entry is caught against.
CREATE TABLE ledger_heads (
    unit_id         INTEGER PRIMARY KEY REFERENCES units(id),
    seq             INTEGER NOT NULL,
    hash            TEXT NOT NULL,
    at              TEXT NOT NULL
);

CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only');
END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only');
END;
CREATE TRIGGER ledger_lines_no_update BEFORE UPDATE ON ledger_lines BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only');
END;
CREATE TRIGGER ledger_lines_no_delete BEFORE DELETE ON ledger_lines BEGIN
    SELECT RAISE(ABORT, 'ledger entries are append-only');
END;
-- A head only moves forward, and stays.
CREATE TRIGGER ledger_heads_forward BEFORE UPDATE ON ledger_heads
WHEN NEW.unit_id <> OLD.unit_id OR NEW.seq <= OLD.seq BEGIN
    SELECT RAISE(ABORT, 'a ledger head only moves forward');
END;
CREATE TRIGGER ledger_heads_stay BEFORE DELETE ON ledger_heads BEGIN
    SELECT RAISE(ABORT, 'a ledger head only moves forward');
END;
