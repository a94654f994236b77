//! Name search, the one query whose plan differs by dialect.
//!
//! Both backends index every record's folded name words together with its
//! place as tokens (`p<id> c<id> b<id>`, see the migrations), so that a
//! scoped search is one index intersection, and both return matches in id
//! order (keyset paging on the id).
//!
//! - SQLite: an FTS5 table keyed by the record's id, walked in rowid order
//!   — it stops after a page instead of sorting every namesake.
//! - PostgreSQL: a GIN index cannot return rows in id order, and the
//!   planner, multiplying the frequencies of common words, chose between
//!   "fetch every match and sort" and "walk the primary key" badly (83 ms
//!   at p99 for a common name in a million). So the `tsvector` also holds
//!   every pair and triple of the name's distinct words (a 1–3 word query
//!   is one selective term whose frequency the planner knows) and an
//!   exact-name token `=<name>`; exact matches come from the `sort_key`
//!   B-tree in id order, the others from the index with the exact ones
//!   excluded, and a country-wide search walks the primary key only when
//!   the statistics say the matches are many.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sqlx::Row;

use super::{Backend, Db, Sql};

/// Where a table's names are indexed.
pub struct TextIndex {
    /// The table searched and its alias in the statement (`persons p`).
    pub table: &'static str,
    pub alias: &'static str,
    /// The FTS5 table (SQLite). Its documents come from the view
    /// `<fts_table>_docs` (id, doc); the trigger `<table>_search_insert`
    /// indexes each new row.
    pub fts_table: &'static str,
    /// The `tsvector` column (PostgreSQL).
    pub tsvector: &'static str,
}

/// A name search: the folded words (all required), the subtrees it is
/// limited to as index tokens (none: the whole country), and the SQL of
/// the same limit as a predicate on the table's alias.
pub struct NameQuery<'a> {
    pub words: &'a [String],
    pub scope_tokens: &'a [String],
    pub scope_filter: &'a (dyn Fn(&mut Sql) + Sync),
    /// The last id of the previous page.
    pub after: Option<i64>,
    pub limit: i64,
}

/// The index token of a subtree: `placement_column` is `province_id`,
/// `commune_id` or `branch_id`.
pub fn scope_token(placement_column: &str, id: i64) -> String {
    format!("{}{id}", &placement_column[..1])
}

fn distinct_sorted(words: &[String]) -> Vec<String> {
    let mut words: Vec<String> = words.to_vec();
    words.sort();
    words.dedup();
    words
}

/// The terms PostgreSQL indexes for a folded name besides its place: its
/// distinct words, and every pair and triple of them (sorted, joined by
/// `_`). The migration's `person_name_terms` computes the same; a test
/// holds them together.
pub fn name_terms(words: &[String]) -> Vec<String> {
    let w = distinct_sorted(words);
    let mut terms = w.clone();
    for i in 0..w.len() {
        for j in i + 1..w.len() {
            terms.push(format!("{}_{}", w[i], w[j]));
            for k in j + 1..w.len() {
                terms.push(format!("{}_{}_{}", w[i], w[j], w[k]));
            }
        }
    }
    terms
}

/// The terms a query needs: one for 1–3 distinct words, every triple for more.
pub fn query_terms(words: &[String]) -> Vec<String> {
    let w = distinct_sorted(words);
    if w.len() <= 3 {
        return vec![w.join("_")];
    }
    let mut terms = Vec::new();
    for i in 0..w.len() {
        for j in i + 1..w.len() {
            for k in j + 1..w.len() {
                terms.push(format!("{}_{}_{}", w[i], w[j], w[k]));
            }
        }
    }
    terms
}

/// Above this many estimated matches a country-wide search walks the
/// primary key in id order; below it, fetching the matches and sorting
/// them wins (measured on a million persons).
const WALK_ABOVE: f64 = 3000.0;
/// How long statistics read from `pg_stats` are used.
const STATS_FOR: Duration = Duration::from_secs(300);

/// Term frequencies the planner itself uses (ANALYZE's `most_common_elems`),
/// cached per server: only a plan choice depends on them, never a result.
#[derive(Debug, Default)]
pub struct TermStats {
    cached: Mutex<Option<(Instant, Frequencies)>>,
}

#[derive(Clone, Debug, Default)]
struct Frequencies {
    rows: f64,
    of: HashMap<String, f64>,
    /// A term not listed is rarer than the least common listed one.
    floor: f64,
}

impl Frequencies {
    fn estimate(&self, terms: &[String]) -> f64 {
        terms
            .iter()
            .fold(self.rows, |n, t| n * self.of.get(t).copied().unwrap_or(self.floor))
    }
}

impl Db {
    async fn frequencies(&self, index: &TextIndex) -> Result<Frequencies, sqlx::Error> {
        if let Ok(cached) = self.term_stats().cached.lock() {
            if let Some((_, f)) = cached.as_ref().filter(|(at, _)| at.elapsed() < STATS_FOR) {
                return Ok(f.clone());
            }
        }
        let mut sql = Sql::new(
            "SELECT most_common_elems::text, most_common_elem_freqs::text, \
             (SELECT reltuples FROM pg_class WHERE oid = to_regclass(",
        );
        sql.bind(index.table.to_owned())
            .push("))::float8 FROM pg_stats WHERE schemaname = current_schema() AND tablename = ");
        sql.bind(index.table.to_owned())
            .push(" AND attname = ")
            .bind(index.tsvector.to_owned());
        let found = match sql.fetch_optional(self.pool()).await? {
            Some(row) => parse_stats(row.try_get(0)?, row.try_get(1)?, row.try_get::<Option<f64>, _>(2)?),
            None => Frequencies::default(),
        };
        if let Ok(mut cached) = self.term_stats().cached.lock() {
            *cached = Some((Instant::now(), found.clone()));
        }
        Ok(found)
    }

    /// Appends `(<matches>) <alias>`: the rows of `index.table` (its
    /// `columns`) matching `query`, in id order, at most `query.limit`.
    /// The caller joins what it needs and orders by `<alias>.id`.
    pub async fn push_name_matches(
        &self,
        sql: &mut Sql,
        index: &TextIndex,
        columns: &str,
        query: &NameQuery<'_>,
    ) -> Result<(), sqlx::Error> {
        let (table, alias) = (index.table, index.alias);
        let after = |sql: &mut Sql, id_column: &str| {
            if let Some(id) = query.after {
                sql.push(&format!(" AND {id_column} > ")).bind(id);
            }
        };
        match self.backend() {
            Backend::Sqlite => {
                // Tokens are folded ASCII letters and digits (text::tokens):
                // no query syntax reaches the index through them.
                let mut parts: Vec<String> = query.words.iter().map(|w| format!("\"{w}\"")).collect();
                if !query.scope_tokens.is_empty() {
                    let group: Vec<String> = query.scope_tokens.iter().map(|t| format!("\"{t}\"")).collect();
                    parts.insert(0, format!("({})", group.join(" OR ")));
                }
                sql.push(&format!(
                    "(SELECT {columns} FROM {fts} s JOIN {table} {alias} ON {alias}.id = s.rowid WHERE {fts} MATCH ",
                    fts = index.fts_table
                ));
                sql.bind(parts.join(" AND ")).push(" AND ");
                (query.scope_filter)(sql);
                after(sql, "s.rowid");
                sql.push(" ORDER BY s.rowid LIMIT ")
                    .bind(query.limit)
                    .push(&format!(") {alias}"));
            }
            Backend::Postgres => {
                let joined = query.words.join(" ");
                let given = query.words.last().cloned().unwrap_or_default();
                let terms = query_terms(query.words);
                let mut parts = terms.clone();
                parts.push(format!("!'={joined}'"));
                if !query.scope_tokens.is_empty() {
                    parts.insert(0, format!("({})", query.scope_tokens.join(" | ")));
                }
                let walk = query.scope_tokens.is_empty() && {
                    let f = self.frequencies(index).await?;
                    let mut estimate = f.estimate(&terms);
                    if terms.len() == 1 {
                        estimate -= f.rows * f.of.get(&format!("={joined}")).copied().unwrap_or(0.0);
                    }
                    estimate >= WALK_ABOVE
                };
                // Exact names: the sort key (given name, space, folded name)
                // through its B-tree, already in id order.
                sql.push(&format!(
                    "((SELECT {columns} FROM {table} {alias} WHERE {alias}.sort_key = "
                ));
                sql.bind(format!("{given} {joined}")).push(" AND ");
                (query.scope_filter)(sql);
                after(sql, &format!("{alias}.id"));
                sql.push(&format!(" ORDER BY {alias}.id LIMIT ")).bind(query.limit);
                // The others: the index, exact names excluded inside it.
                sql.push(&format!(
                    ") UNION ALL (SELECT {columns} FROM {table} {alias} WHERE {alias}.{} @@ ",
                    index.tsvector
                ));
                sql.bind(parts.join(" & ")).push("::tsquery AND ");
                (query.scope_filter)(sql);
                after(sql, &format!("{alias}.id"));
                // `+ 0` keeps the planner from walking the primary key.
                let order = if walk { "" } else { " + 0" };
                sql.push(&format!(" ORDER BY {alias}.id{order} LIMIT "))
                    .bind(query.limit);
                sql.push(&format!(")) {alias}"));
            }
        }
        Ok(())
    }
}

/// `pg_stats`' arrays as text (`{a,b}` and `{0.1,0.2}`): the element
/// frequencies end with the minimum, maximum and null frequency.
fn parse_stats(elems: Option<String>, freqs: Option<String>, rows: Option<f64>) -> Frequencies {
    let list = |text: Option<String>| -> Vec<String> {
        text.map(|t| {
            t.trim_matches(|c| c == '{' || c == '}')
                .split(',')
                .map(|s| s.trim_matches('"').replace("\\\"", "\""))
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
    };
    let elems = list(elems);
    let freqs: Vec<f64> = list(freqs).iter().filter_map(|f| f.parse().ok()).collect();
    let floor = freqs
        .len()
        .checked_sub(3)
        .and_then(|i| freqs.get(i))
        .map(|min| min / 2.0)
        .unwrap_or(0.0);
    Frequencies {
        rows: rows.unwrap_or(0.0).max(0.0),
        of: elems.into_iter().zip(freqs).collect(),
        floor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn names_are_indexed_with_their_pairs_and_triples() {
        assert_eq!(
            name_terms(&words("nguyen van an")),
            [
                "an",
                "nguyen",
                "van",
                "an_nguyen",
                "an_nguyen_van",
                "an_van",
                "nguyen_van"
            ]
        );
        assert_eq!(name_terms(&words("minh minh")), ["minh"]);
    }

    #[test]
    fn queries_need_one_term_up_to_three_words() {
        assert_eq!(query_terms(&words("nguyen thi ha")), ["ha_nguyen_thi"]);
        assert_eq!(query_terms(&words("van an")), ["an_van"]);
        assert_eq!(query_terms(&words("a b c d")).len(), 4);
    }

    #[test]
    fn statistics_are_read_from_their_text_form() {
        let f = parse_stats(
            Some("{an_van,c12,\"=nguyen van an\"}".into()),
            Some("{0.01,0.002,0.0004,0.0004,0.01,0}".into()),
            Some(1000.0),
        );
        assert_eq!(f.of.get("c12"), Some(&0.002));
        assert_eq!(f.of.get("=nguyen van an"), Some(&0.0004));
        assert_eq!(f.floor, 0.0002);
        assert!((f.estimate(&["an_van".into()]) - 10.0).abs() < 1e-9);
    }
}
