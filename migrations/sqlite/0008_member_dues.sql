-- Dues (hội phí): a yearly rate set by a unit for the members below it
-- (the nearest unit with a rate for the year applies), and payments per
-- member and year, in whole đồng. Payments are kept, never changed; a
-- mistake is removed with an audit entry.
CREATE TABLE dues_rates (
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    year            INTEGER NOT NULL,
    amount          INTEGER NOT NULL CHECK (amount >= 0),
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (unit_id, year)
);

CREATE TABLE dues_payments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    member_id       INTEGER NOT NULL REFERENCES members(id),
    year            INTEGER NOT NULL,
    amount          INTEGER NOT NULL CHECK (amount > 0),
    paid_on         TEXT NOT NULL,
    username        TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX dues_payments_by_member ON dues_payments (member_id, year);
CREATE INDEX dues_payments_by_year ON dues_payments (year, member_id);
