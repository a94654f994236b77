//! The hash chain over each unit's entries. An entry's hash covers the
//! hash before it, its public content and a salted commitment to its
//! private part (the donor's details as the bank wrote them), so anyone
//! holding the public download can recompute every hash, and a change to
//! any entry, public or private, breaks the chain from there on.
//!
//! The hashed text is built field by field in a fixed order (not through
//! a serialiser whose output could change): `key=value` lines, values
//! with `\` and line breaks escaped.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::model::{balanced, EntryKind, Line};

/// The hash before a unit's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What the public download carries of an entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublicEntry {
    pub unit_id: i64,
    /// Its place in the unit's chain, from 1.
    pub seq: i64,
    /// `yyyy-mm-dd`.
    pub on_date: String,
    pub kind: EntryKind,
    pub description: String,
    /// The donor or payee as published (a name, or "anonymous").
    pub counterparty: String,
    pub reference: String,
    /// The `seq` of the entry this one reverses.
    pub reverses: Option<i64>,
    pub lines: Vec<Line>,
    /// The commitment to the private part (`commitment`).
    pub private: String,
}

/// An entry as the download lists it, with its place in the chain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChainedEntry {
    #[serde(flatten)]
    pub entry: PublicEntry,
    pub prev_hash: String,
    pub hash: String,
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn push_field(out: &mut String, key: &str, value: &str) {
    out.push_str(key);
    out.push('=');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('\n');
}

/// The salted commitment to an entry's private part: its hash, and the
/// salt that keeps a guess of a short private value from being checked.
pub fn commitment(salt: &str, private: &str) -> String {
    let mut text = String::with_capacity(salt.len() + private.len() + 24);
    push_field(&mut text, "nhanai-private", "1");
    push_field(&mut text, "salt", salt);
    push_field(&mut text, "private", private);
    hex(&Sha256::digest(text.as_bytes()))
}

/// A fresh random salt for a commitment.
pub fn new_salt() -> String {
    hex(&rand::random::<[u8; 16]>())
}

/// The hash of `entry` following `prev_hash`.
pub fn hash(prev_hash: &str, entry: &PublicEntry) -> String {
    let mut text = String::with_capacity(256 + entry.description.len());
    push_field(&mut text, "nhanai-ledger", "1");
    push_field(&mut text, "prev", prev_hash);
    push_field(&mut text, "unit", &entry.unit_id.to_string());
    push_field(&mut text, "seq", &entry.seq.to_string());
    push_field(&mut text, "date", &entry.on_date);
    push_field(&mut text, "kind", entry.kind.as_str());
    push_field(&mut text, "description", &entry.description);
    push_field(&mut text, "counterparty", &entry.counterparty);
    push_field(&mut text, "reference", &entry.reference);
    push_field(
        &mut text,
        "reverses",
        &entry.reverses.map(|s| s.to_string()).unwrap_or_default(),
    );
    for line in &entry.lines {
        let account = line.account_id.map(|a| a.to_string()).unwrap_or_default();
        let value = format!(
            "{}|{}|{}|{}|{}",
            line.fund_id,
            line.head.as_str(),
            account,
            line.debit.dong(),
            line.credit.dong()
        );
        push_field(&mut text, "line", &value);
    }
    push_field(&mut text, "private", &entry.private);
    hex(&Sha256::digest(text.as_bytes()))
}

/// The first thing wrong with a chain, naming the entry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Broken {
    #[error("unit {unit}: entry {seq} follows entry {last} (an entry removed, added or moved)")]
    Sequence { unit: i64, seq: i64, last: i64 },
    #[error("unit {unit}: entry {seq} does not follow the hash of the entry before it")]
    Link { unit: i64, seq: i64 },
    #[error("unit {unit}: entry {seq} does not match its hash (changed)")]
    Hash { unit: i64, seq: i64 },
    #[error("unit {unit}: entry {seq} does not balance")]
    Unbalanced { unit: i64, seq: i64 },
    #[error("unit {unit}: entry {seq} differs from what is stored beside it (amount, fund or search text changed)")]
    Derived { unit: i64, seq: i64 },
    #[error("unit {unit}: the chain ends at entry {seq}, but its head says {head} (entries added or removed)")]
    Head { unit: i64, seq: i64, head: i64 },
    #[error("unit {unit}: entry {seq} is not the entry its head names (the last entry replaced)")]
    HeadHash { unit: i64, seq: i64 },
    #[error("unit {unit}: the chain has no recorded head (a chain added)")]
    NoHead { unit: i64 },
    #[error("unit {unit}: entry {seq} is not the entry saved earlier (the past was rewritten)")]
    Saved { unit: i64, seq: i64 },
    #[error("unit {unit}: the chain no longer reaches entry {seq} saved earlier")]
    SavedMissing { unit: i64, seq: i64 },
}

/// Where each unit's chain ends: its last `seq` and hash.
pub type Heads = BTreeMap<i64, (i64, String)>;

/// Follows entries (each unit's in order, units possibly interleaved)
/// along their chains, checking every link, hash and balance.
#[derive(Default)]
pub struct Verifier {
    heads: Heads,
    /// Heads saved earlier (from the public page): the entry at that
    /// place must still carry that hash.
    saved: Heads,
    pub entries: u64,
}

impl Verifier {
    /// A verifier that also holds the chains to `saved` heads.
    pub fn expecting(saved: Heads) -> Verifier {
        Verifier {
            saved,
            ..Verifier::default()
        }
    }

    pub fn push(&mut self, chained: &ChainedEntry) -> Result<(), Broken> {
        let e = &chained.entry;
        let (unit, seq) = (e.unit_id, e.seq);
        let (last, last_hash) = self.heads.get(&unit).map_or((0, GENESIS), |(s, h)| (*s, h.as_str()));
        if seq != last + 1 {
            return Err(Broken::Sequence { unit, seq, last });
        }
        if chained.prev_hash != last_hash {
            return Err(Broken::Link { unit, seq });
        }
        if hash(last_hash, e) != chained.hash {
            return Err(Broken::Hash { unit, seq });
        }
        if balanced(&e.lines).is_err() {
            return Err(Broken::Unbalanced { unit, seq });
        }
        if self
            .saved
            .get(&unit)
            .is_some_and(|(s, h)| *s == seq && *h != chained.hash)
        {
            return Err(Broken::Saved { unit, seq });
        }
        self.heads.insert(unit, (seq, chained.hash.clone()));
        self.entries += 1;
        Ok(())
    }

    /// Checks that each chain ends where `recorded` says (the heads kept
    /// beside the entries, or listed in a download) and that every chain
    /// has a recorded head — unless the source records none (a CSV
    /// download) — then that every saved head was reached.
    pub fn finish(self, recorded: Option<&Heads>) -> Result<Heads, Broken> {
        let none = Heads::new();
        let complete = recorded.is_some();
        let recorded = recorded.unwrap_or(&none);
        for (unit, (head, head_hash)) in recorded {
            let (seq, hash) = self.heads.get(unit).map_or((0, GENESIS), |(s, h)| (*s, h.as_str()));
            if seq != *head {
                return Err(Broken::Head {
                    unit: *unit,
                    seq,
                    head: *head,
                });
            }
            if hash != head_hash {
                return Err(Broken::HeadHash { unit: *unit, seq });
            }
        }
        if let Some(unit) = self.heads.keys().find(|u| complete && !recorded.contains_key(u)) {
            return Err(Broken::NoHead { unit: *unit });
        }
        for (unit, (seq, _)) in &self.saved {
            if self.heads.get(unit).is_none_or(|(last, _)| last < seq) {
                return Err(Broken::SavedMissing { unit: *unit, seq: *seq });
            }
        }
        Ok(self.heads)
    }
}

/// A head as people save and give it: `UNIT:SEQ:HASH`.
pub fn parse_head(text: &str) -> Option<(i64, (i64, String))> {
    let mut parts = text.trim().splitn(3, ':');
    let unit = parts.next()?.parse().ok()?;
    let seq = parts.next()?.parse().ok()?;
    let hash = parts.next()?.to_ascii_lowercase();
    (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then_some((unit, (seq, hash)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::model::donation;
    use crate::money::Money;

    fn chain(n: i64) -> Vec<ChainedEntry> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let entry = PublicEntry {
                    unit_id: 7,
                    seq,
                    on_date: "2024-09-01".into(),
                    kind: EntryKind::Donation,
                    description: format!("UNG HO BAO YAGI\nlan {seq}"),
                    counterparty: "CAO VIET TUAN".into(),
                    reference: format!("5241.8{seq}"),
                    reverses: None,
                    lines: donation(1, 2, Money::from_dong(29_000 * seq)),
                    private: commitment("00ff", "0101001222009"),
                };
                let hash = hash(&prev, &entry);
                let chained = ChainedEntry {
                    entry,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                chained
            })
            .collect()
    }

    fn verify(entries: &[ChainedEntry]) -> Result<u64, Broken> {
        let mut v = Verifier::default();
        for e in entries {
            v.push(e)?;
        }
        Ok(v.entries)
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
    }

    #[test]
    fn a_changed_amount_is_named() {
        let mut entries = chain(5);
        entries[2].entry.lines = donation(1, 2, Money::from_dong(1));
        assert_eq!(verify(&entries), Err(Broken::Hash { unit: 7, seq: 3 }));
    }

    #[test]
    fn a_changed_private_part_breaks_its_commitment() {
        let mut entries = chain(3);
        entries[1].entry.private = commitment("00ff", "0101001222008");
        assert_eq!(verify(&entries), Err(Broken::Hash { unit: 7, seq: 2 }));
        assert_ne!(commitment("00ff", "x"), commitment("00fe", "x"));
    }

    #[test]
    fn removed_and_reordered_entries_are_caught() {
        let mut removed = chain(5);
        removed.remove(3);
        assert_eq!(
            verify(&removed),
            Err(Broken::Sequence {
                unit: 7,
                seq: 5,
                last: 3
            })
        );
        let mut swapped = chain(5);
        swapped.swap(1, 2);
        assert_eq!(
            verify(&swapped),
            Err(Broken::Sequence {
                unit: 7,
                seq: 3,
                last: 1
            })
        );
        // Renumbered to hide the move: the links no longer hold.
        swapped[1].entry.seq = 2;
        swapped[2].entry.seq = 3;
        assert_eq!(verify(&swapped), Err(Broken::Link { unit: 7, seq: 2 }));
    }

    #[test]
    fn a_removed_last_entry_shows_against_the_head() {
        let mut entries = chain(4);
        let heads = {
            let mut v = Verifier::default();
            for e in &entries {
                v.push(e).unwrap();
            }
            v.heads.clone()
        };
        entries.pop();
        let mut v = Verifier::default();
        for e in &entries {
            v.push(e).unwrap();
        }
        assert_eq!(
            v.finish(Some(&heads)).err(),
            Some(Broken::Head {
                unit: 7,
                seq: 3,
                head: 4
            })
        );
    }

    #[test]
    fn line_breaks_cannot_forge_fields() {
        let mut a = chain(1).remove(0).entry;
        let mut b = a.clone();
        a.description = "x\ncounterparty=y".into();
        b.description = "x".into();
        b.counterparty = "y".into();
        assert_ne!(hash(GENESIS, &a), hash(GENESIS, &b));
    }
}
