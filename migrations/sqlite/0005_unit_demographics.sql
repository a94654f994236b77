-- Records counted per unit by sex and birth year (org::storage::
-- demographics), kept on write beside unit_counts: unit pages show age
-- bands computed at the time of viewing from the birth years. Birth year
-- 0: unknown.
CREATE TABLE unit_demographics (
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    counter     TEXT NOT NULL,
    sex         TEXT NOT NULL,
    birth_year  INTEGER NOT NULL,
    value       INTEGER NOT NULL,
    PRIMARY KEY (unit_id, counter, sex, birth_year)
) WITHOUT ROWID; -- rows stored in key order: a unit's rows are read together
INSERT INTO unit_demographics (unit_id, counter, sex, birth_year, value)
    SELECT province_id, 'persons', sex, COALESCE(birth_year, 0), COUNT(*) FROM persons
    WHERE province_id IS NOT NULL GROUP BY province_id, sex, COALESCE(birth_year, 0);
INSERT INTO unit_demographics (unit_id, counter, sex, birth_year, value)
    SELECT commune_id, 'persons', sex, COALESCE(birth_year, 0), COUNT(*) FROM persons
    WHERE commune_id IS NOT NULL GROUP BY commune_id, sex, COALESCE(birth_year, 0);
INSERT INTO unit_demographics (unit_id, counter, sex, birth_year, value)
    SELECT branch_id, 'persons', sex, COALESCE(birth_year, 0), COUNT(*) FROM persons
    WHERE branch_id IS NOT NULL GROUP BY branch_id, sex, COALESCE(birth_year, 0);
