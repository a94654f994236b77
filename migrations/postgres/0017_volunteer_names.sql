-- Call-outs list who can come by name, a page at a time: each volunteer
-- carries its person's sort key (kept by org::storage::placement when the
-- person is renamed; compared byte by byte, COLLATE "C", as persons' is)
-- and is found in name order within its province, commune or branch (or
-- the country), among those active, without reading persons.
ALTER TABLE volunteers ADD COLUMN sort_key TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE volunteers SET sort_key = (SELECT p.sort_key FROM persons p WHERE p.id = volunteers.person_id);
CREATE INDEX volunteers_by_name_in_province ON volunteers (province_id, status, sort_key, id, away_until);
CREATE INDEX volunteers_by_name_in_commune ON volunteers (commune_id, status, sort_key, id, away_until);
CREATE INDEX volunteers_by_name_in_branch ON volunteers (branch_id, status, sort_key, id, away_until);
CREATE INDEX volunteers_by_name ON volunteers (status, sort_key, id, away_until);
-- Whether a certificate is valid on a day, read from the index alone.
DROP INDEX volunteer_certificates_by_volunteer;
CREATE INDEX volunteer_certificates_by_volunteer ON volunteer_certificates (volunteer_id, skill, expires_on, issued_on);
