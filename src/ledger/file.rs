//! The public ledger as a file anyone may download and check offline:
//! JSON (entries with their hashes, each chain's head, the totals) or CSV
//! (one entry a row; lines as `fund|head|account|debit|credit;…`).
//! `nhanai ledger verify FILE` reads either.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::chain::{Broken, ChainedEntry, Heads, PublicEntry, Verifier};
use super::model::{EntryKind, Head, Line, Totals};
use crate::money::Money;

pub const FORMAT: &str = "nhanai-ledger/1";

/// Where a chain ended when the file was made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadView {
    pub seq: i64,
    pub hash: String,
}

#[derive(Debug, Serialize)]
pub struct LedgerFile {
    pub format: String,
    /// Keyed by unit id.
    pub heads: BTreeMap<i64, HeadView>,
    /// Keyed by fund id.
    pub totals: BTreeMap<i64, Totals>,
    pub entries: Vec<ChainedEntry>,
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("not a ledger file: {0}")]
    Format(String),
    #[error("row {row}: {message}")]
    Row { row: usize, message: String },
    #[error(transparent)]
    Broken(#[from] Broken),
    #[error("fund {fund}: the file says {said:?}, its entries add up to {found:?}")]
    Totals { fund: i64, said: Totals, found: Totals },
}

/// What a verification found, for the report.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct Verified {
    pub entries: u64,
    pub chains: usize,
    /// Where each chain ends, keyed by unit: what to save and give back
    /// later (`--head UNIT:SEQ:HASH`) to prove the past was not rewritten.
    pub heads: BTreeMap<i64, HeadView>,
    pub totals: BTreeMap<i64, Totals>,
}

impl Verified {
    pub fn new(entries: u64, heads: Heads, totals: BTreeMap<i64, Totals>) -> Verified {
        Verified {
            entries,
            chains: heads.len(),
            heads: heads
                .into_iter()
                .map(|(unit, (seq, hash))| (unit, HeadView { seq, hash }))
                .collect(),
            totals,
        }
    }
}

/// Totals per fund of `entries`.
pub fn totals<'a>(entries: impl IntoIterator<Item = &'a PublicEntry>) -> BTreeMap<i64, Totals> {
    let mut out: BTreeMap<i64, Totals> = BTreeMap::new();
    for entry in entries {
        for line in &entry.lines {
            out.entry(line.fund_id).or_default().add(line);
        }
    }
    out
}

/// Checks a downloaded file (JSON or CSV, told apart by its first byte),
/// holding its chains to heads `saved` earlier.
pub fn verify(bytes: &[u8], saved: Heads) -> Result<Verified, FileError> {
    let text = std::str::from_utf8(bytes).map_err(|e| FileError::Format(e.to_string()))?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim_start().starts_with('{') {
        let file: WireFile = serde_json::from_str(text).map_err(|e| FileError::Format(e.to_string()))?;
        if file.format != FORMAT {
            return Err(FileError::Format(file.format));
        }
        let recorded: Heads = file.heads.iter().map(|(u, h)| (*u, (h.seq, h.hash.clone()))).collect();
        let entries: Vec<ChainedEntry> = file.entries.into_iter().map(WireEntry::into_entry).collect();
        let verified = check(&entries, Some(&recorded), saved)?;
        let funds: std::collections::BTreeSet<i64> =
            file.totals.keys().chain(verified.totals.keys()).copied().collect();
        for fund in &funds {
            let said = file.totals.get(fund).map(WireTotals::totals).unwrap_or_default();
            let found = verified.totals.get(fund).copied().unwrap_or_default();
            if found != said {
                return Err(FileError::Totals {
                    fund: *fund,
                    said,
                    found,
                });
            }
        }
        Ok(verified)
    } else {
        check(&from_csv(text)?, None, saved)
    }
}

// The file as read: amounts as plain numbers, turned into `Money` here
// (it is never deserialised, so that every amount typed is checked).
#[derive(Deserialize)]
struct WireFile {
    format: String,
    heads: BTreeMap<i64, HeadView>,
    totals: BTreeMap<i64, WireTotals>,
    entries: Vec<WireEntry>,
}

#[derive(Deserialize)]
struct WireTotals {
    raised: i64,
    spent: i64,
    held: i64,
}

impl WireTotals {
    fn totals(&self) -> Totals {
        Totals {
            raised: Money::from_dong(self.raised),
            spent: Money::from_dong(self.spent),
            held: Money::from_dong(self.held),
        }
    }
}

#[derive(Deserialize)]
struct WireLine {
    fund_id: i64,
    head: Head,
    account_id: Option<i64>,
    debit: i64,
    credit: i64,
}

#[derive(Deserialize)]
struct WireEntry {
    unit_id: i64,
    seq: i64,
    on_date: String,
    kind: EntryKind,
    description: String,
    counterparty: String,
    reference: String,
    reverses: Option<i64>,
    lines: Vec<WireLine>,
    private: String,
    prev_hash: String,
    hash: String,
}

impl WireEntry {
    fn into_entry(self) -> ChainedEntry {
        let lines = self
            .lines
            .into_iter()
            .map(|l| Line {
                fund_id: l.fund_id,
                head: l.head,
                account_id: l.account_id,
                debit: Money::from_dong(l.debit),
                credit: Money::from_dong(l.credit),
            })
            .collect();
        ChainedEntry {
            entry: PublicEntry {
                unit_id: self.unit_id,
                seq: self.seq,
                on_date: self.on_date,
                kind: self.kind,
                description: self.description,
                counterparty: self.counterparty,
                reference: self.reference,
                reverses: self.reverses,
                lines,
                private: self.private,
            },
            prev_hash: self.prev_hash,
            hash: self.hash,
        }
    }
}

fn check(entries: &[ChainedEntry], recorded: Option<&Heads>, saved: Heads) -> Result<Verified, FileError> {
    let mut verifier = Verifier::expecting(saved);
    for entry in entries {
        verifier.push(entry)?;
    }
    let count = verifier.entries;
    let heads = verifier.finish(recorded)?;
    Ok(Verified::new(count, heads, totals(entries.iter().map(|e| &e.entry))))
}

pub const CSV_HEADER: [&str; 12] = [
    "unit_id",
    "seq",
    "on_date",
    "kind",
    "description",
    "counterparty",
    "reference",
    "reverses",
    "lines",
    "private",
    "prev_hash",
    "hash",
];

/// A text cell of the CSV: one starting with `=`, `+`, `-`, `@` (which a
/// spreadsheet would run as a formula) or `'` gets a leading `'`, which
/// `from_cell` takes off again, so the text hashed is the text read back.
fn to_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\'']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

fn from_cell(text: &str) -> &str {
    text.strip_prefix('\'').unwrap_or(text)
}

/// An entry as a CSV record (`CSV_HEADER`'s columns).
pub fn csv_record(e: &ChainedEntry) -> [String; 12] {
    let p = &e.entry;
    let lines: Vec<String> = p
        .lines
        .iter()
        .map(|l| {
            let account = l.account_id.map(|a| a.to_string()).unwrap_or_default();
            format!(
                "{}|{}|{}|{}|{}",
                l.fund_id,
                l.head.as_str(),
                account,
                l.debit.dong(),
                l.credit.dong()
            )
        })
        .collect();
    [
        p.unit_id.to_string(),
        p.seq.to_string(),
        p.on_date.clone(),
        p.kind.as_str().to_owned(),
        to_cell(&p.description),
        to_cell(&p.counterparty),
        to_cell(&p.reference),
        p.reverses.map(|r| r.to_string()).unwrap_or_default(),
        lines.join(";"),
        p.private.clone(),
        e.prev_hash.clone(),
        e.hash.clone(),
    ]
}

fn line_of(text: &str) -> Option<Line> {
    let parts: Vec<&str> = text.split('|').collect();
    let [fund, head, account, debit, credit] = parts.as_slice() else {
        return None;
    };
    Some(Line {
        fund_id: fund.parse().ok()?,
        head: Head::parse(head)?,
        account_id: if account.is_empty() {
            None
        } else {
            Some(account.parse().ok()?)
        },
        debit: Money::from_dong(debit.parse().ok()?),
        credit: Money::from_dong(credit.parse().ok()?),
    })
}

fn from_csv(text: &str) -> Result<Vec<ChainedEntry>, FileError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| FileError::Format(e.to_string()))?;
    if header.iter().collect::<Vec<_>>() != CSV_HEADER {
        return Err(FileError::Format("unexpected columns".into()));
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let r = record.map_err(|e| FileError::Row {
            row: e.position().map_or(0, |p| p.line() as usize),
            message: e.to_string(),
        })?;
        let row = r.position().map_or(0, |p| p.line() as usize);
        let bad = |message: &str| FileError::Row {
            row,
            message: message.to_owned(),
        };
        let cell = |i: usize| r.get(i).ok_or_else(|| bad(CSV_HEADER[i]));
        let int = |i: usize| cell(i)?.parse::<i64>().map_err(|_| bad(CSV_HEADER[i]));
        let lines = match cell(8)? {
            "" => Vec::new(),
            text => text
                .split(';')
                .map(line_of)
                .collect::<Option<Vec<Line>>>()
                .ok_or_else(|| bad("lines"))?,
        };
        let reverses = match cell(7)? {
            "" => None,
            _ => Some(int(7)?),
        };
        out.push(ChainedEntry {
            entry: PublicEntry {
                unit_id: int(0)?,
                seq: int(1)?,
                on_date: cell(2)?.to_owned(),
                kind: EntryKind::parse(cell(3)?).ok_or_else(|| bad("kind"))?,
                description: from_cell(cell(4)?).to_owned(),
                counterparty: from_cell(cell(5)?).to_owned(),
                reference: from_cell(cell(6)?).to_owned(),
                reverses,
                lines,
                private: cell(9)?.to_owned(),
            },
            prev_hash: cell(10)?.to_owned(),
            hash: cell(11)?.to_owned(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::chain::{commitment, hash, GENESIS};
    use crate::ledger::model::donation;

    fn file() -> LedgerFile {
        let mut prev = GENESIS.to_owned();
        let mut entries = Vec::new();
        for seq in 1..=3 {
            let entry = PublicEntry {
                unit_id: 3,
                seq,
                on_date: "2024-09-02".into(),
                kind: EntryKind::Donation,
                description: if seq == 2 {
                    "=HYPERLINK(\"x\")".into()
                } else {
                    "ung ho, \"bao\" Yagi; lan 2".into()
                },
                counterparty: "DO DUC LOI".into(),
                reference: "5218.87149".into(),
                reverses: None,
                lines: donation(9, 4, Money::from_dong(3_000 * seq)),
                private: commitment("ab", "{}"),
            };
            let h = hash(&prev, &entry);
            entries.push(ChainedEntry {
                entry,
                prev_hash: std::mem::replace(&mut prev, h.clone()),
                hash: h,
            });
        }
        LedgerFile {
            format: FORMAT.into(),
            heads: [(3, HeadView { seq: 3, hash: prev })].into(),
            totals: totals(entries.iter().map(|e| &e.entry)),
            entries,
        }
    }

    #[test]
    fn a_json_download_verifies_and_a_changed_total_does_not() {
        let json = serde_json::to_vec(&file()).unwrap();
        let verified = verify(&json, Heads::new()).unwrap();
        assert_eq!((verified.entries, verified.chains), (3, 1));
        assert_eq!(verified.totals[&9].raised, Money::from_dong(18_000));
        let mut lying = file();
        lying.totals.get_mut(&9).unwrap().raised = Money::from_dong(1);
        let json = serde_json::to_vec(&lying).unwrap();
        assert!(matches!(
            verify(&json, Heads::new()),
            Err(FileError::Totals { fund: 9, .. })
        ));
    }

    #[test]
    fn a_json_download_missing_its_last_entry_fails_against_its_head() {
        let mut cut = file();
        cut.entries.pop();
        cut.totals = totals(cut.entries.iter().map(|e| &e.entry));
        let json = serde_json::to_vec(&cut).unwrap();
        assert!(matches!(
            verify(&json, Heads::new()),
            Err(FileError::Broken(Broken::Head { .. }))
        ));
    }

    #[test]
    fn a_csv_download_round_trips_and_names_a_changed_row() {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(CSV_HEADER).unwrap();
        for e in &file().entries {
            writer.write_record(csv_record(e)).unwrap();
        }
        let bytes = writer.into_inner().unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains(",=HYPERLINK"));
        assert_eq!(verify(&bytes, Heads::new()).unwrap().entries, 3);
        let text = String::from_utf8(bytes)
            .unwrap()
            .replacen("9|income||0|6000", "9|income||0|6001", 1);
        assert!(matches!(
            verify(text.as_bytes(), Heads::new()),
            Err(FileError::Broken(Broken::Hash { seq: 2, .. }))
        ));
    }

    #[test]
    fn other_files_are_refused_plainly() {
        assert!(matches!(verify(b"a,b\n1,2\n", Heads::new()), Err(FileError::Format(_))));
        assert!(matches!(verify(b"{\"x\":1}", Heads::new()), Err(FileError::Format(_))));
    }
}
