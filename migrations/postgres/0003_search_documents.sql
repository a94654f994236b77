-- Nothing to do on PostgreSQL: its name-search document is a generated
-- column, kept by the database itself (SQLite's 0003 moves its document
-- expression into a view). Kept so both backends number migrations alike.
SELECT 1;
