-- The name-search document of a person (place tokens and folded name) in
-- one place: the triggers that keep the index row by row, and bulk loads
-- that build it in one statement after loading (db/dialect.rs), both read
-- it from this view.
CREATE VIEW person_search_docs AS
    SELECT id, ifnull('p' || province_id, '') || ifnull(' c' || commune_id, '') ||
               ifnull(' b' || branch_id, '') || ' ' || name_folded AS doc
    FROM persons;

DROP TRIGGER persons_search_insert;
CREATE TRIGGER persons_search_insert AFTER INSERT ON persons BEGIN
    INSERT INTO person_search (rowid, doc) SELECT id, doc FROM person_search_docs WHERE id = new.id;
END;

DROP TRIGGER persons_search_update;
CREATE TRIGGER persons_search_update
AFTER UPDATE OF name_folded, province_id, commune_id, branch_id ON persons BEGIN
    DELETE FROM person_search WHERE rowid = old.id;
    INSERT INTO person_search (rowid, doc) SELECT id, doc FROM person_search_docs WHERE id = new.id;
END;
