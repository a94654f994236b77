-- Where a record was before a move is known for moves and merges only:
-- the indexes hold those rows alone, so the many other audit writes (an
-- import audits every person it creates) maintain five indexes, not eight.
DROP INDEX audit_by_prev_province;
DROP INDEX audit_by_prev_commune;
DROP INDEX audit_by_prev_branch;
CREATE INDEX audit_by_prev_province ON audit_log (prev_province_id, id) WHERE prev_province_id IS NOT NULL;
CREATE INDEX audit_by_prev_commune ON audit_log (prev_commune_id, id) WHERE prev_commune_id IS NOT NULL;
CREATE INDEX audit_by_prev_branch ON audit_log (prev_branch_id, id) WHERE prev_branch_id IS NOT NULL;

-- Likely duplicates are looked up by unaccented name within the user's
-- scope; for a province or the country the scope alone narrows little.
CREATE INDEX persons_by_name ON persons (name_folded);
