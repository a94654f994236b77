-- The name's terms (db::name_search::name_terms) are written by the
-- application into `name_terms` (space-separated) instead of being computed
-- by person_name_terms for every row written: the PL/pgSQL function took a
-- fifth of a bulk insert. Existing rows are filled by the function, which
-- stays for that and for the test that holds it and the application
-- together. SQLite indexes names in FTS5 and has no such column.
--
-- The old index column goes first, so that filling the new one neither
-- recomputes it nor updates its index row by row; the name search chooses
-- its plan from the index's statistics, hence ANALYZE at the end.
ALTER TABLE persons DROP COLUMN search_doc;
ALTER TABLE persons ADD COLUMN name_terms text;
UPDATE persons SET name_terms = array_to_string(person_name_terms(name_folded), ' ');
ALTER TABLE persons ALTER COLUMN name_terms SET NOT NULL;
ALTER TABLE persons ADD COLUMN search_doc tsvector GENERATED ALWAYS AS (array_to_tsvector(
       string_to_array(name_terms, ' ')
    || ('=' || name_folded)
    || array_remove(ARRAY['p' || province_id::text, 'c' || commune_id::text, 'b' || branch_id::text], NULL)
   )) STORED;
CREATE INDEX persons_search ON persons USING gin (search_doc);
ANALYZE persons;
