//! Persons as an import kind: the columns offices' lists have, checked by
//! the same validation as the form, with likely duplicates — the same
//! CCCD anywhere (linked only inside the user's scope), or the same
//! unaccented name, birth and commune inside it, unless both carry
//! different CCCDs (two people). Household members share
//! a family name, a commune and a phone, so none of those alone is a
//! duplicate.

use std::collections::HashMap;

use sqlx::{Any, Transaction};

use super::model::{self, Birth, PersonInput, Sex, ValidPerson};
use super::{service, storage, PeopleError, PERSONS};
use crate::access::Permission;
use crate::audit::{self, Change};
use crate::org::service::{self as org, placement};
use crate::text;
use crate::toolkit::import::{CellKind, ColumnSpec, Duplicate, ImportCtx, ImportKind, Row, RowCheck};

pub struct PersonsImport;

/// The columns of a person in offices' lists (members' lists reuse them).
pub const FULL_NAME: ColumnSpec = ColumnSpec::new(
    "full_name",
    "person.full_name",
    &["ho va ten", "ho ten", "ho ten day du", "ten", "full name", "name"],
)
.required();
pub const SEX: ColumnSpec = ColumnSpec::new("sex", "person.sex", &["gioi tinh", "nam nu", "gioi", "sex", "gender"])
    .marked(&[
        ("nam", "Nam"),
        ("nữ", "Nữ"),
        ("nu", "Nữ"),
        ("male", "Nam"),
        ("female", "Nữ"),
    ]);
pub const BIRTH_DATE: ColumnSpec = ColumnSpec::new(
    "birth_date",
    "person.birth_date",
    &[
        "ngay sinh",
        "nam sinh",
        "ngay thang nam sinh",
        "sinh ngay",
        "ns",
        "date of birth",
        "birth",
    ],
)
.of(CellKind::Date);
pub const CCCD: ColumnSpec = ColumnSpec::new(
    "cccd",
    "person.cccd",
    &[
        "cccd",
        "cmnd",
        "cmt",
        "can cuoc",
        "can cuoc cong dan",
        "dinh danh",
        "so dinh danh",
        "ma dinh danh",
    ],
)
.of(CellKind::Digits { width: 12 });
pub const PHONE: ColumnSpec = ColumnSpec::new(
    "phone",
    "person.phone",
    &["dien thoai", "sdt", "so dien thoai", "dt", "di dong", "phone", "mobile"],
)
.of(CellKind::Digits { width: 10 });
pub const ADDRESS_COMMUNE: ColumnSpec = ColumnSpec::new(
    "address_commune",
    "person.address_commune",
    &[
        "xa phuong",
        "xa",
        "phuong",
        "thi tran",
        "xa phuong thi tran",
        "xa phuong noi o",
        "commune",
    ],
);
pub const ADDRESS_DETAIL: ColumnSpec = ColumnSpec::new(
    "address_detail",
    "person.address_detail",
    &[
        "dia chi",
        "thon",
        "to dan pho",
        "xom",
        "ap",
        "khu pho",
        "so nha",
        "to",
        "address",
    ],
)
.joined();

pub const PERSON_COLUMNS: [ColumnSpec; 7] = [FULL_NAME, SEX, BIRTH_DATE, CCCD, PHONE, ADDRESS_COMMUNE, ADDRESS_DETAIL];

const COLUMNS: &[ColumnSpec] = &PERSON_COLUMNS;

/// The sex a CCCD states (its fourth digit: even male, odd female), for
/// lists without a sex column.
fn sex_of_cccd(cccd: &str) -> Option<Sex> {
    let digits = super::cccd::normalise(cccd);
    let digit = digits.as_bytes().get(3).filter(|_| digits.len() == 12)?;
    digit.is_ascii_digit().then(|| {
        if (digit - b'0').is_multiple_of(2) {
            Sex::Male
        } else {
            Sex::Female
        }
    })
}

fn input_of(row: &Row, unit_code: &str) -> PersonInput {
    let mut sex = row.get("sex").to_owned();
    if sex.is_empty() {
        sex = sex_of_cccd(row.get("cccd"))
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default();
    }
    PersonInput {
        full_name: row.get("full_name").to_owned(),
        sex,
        birth_date: row.get("birth_date").to_owned(),
        cccd: row.get("cccd").to_owned(),
        phone: row.get("phone").to_owned(),
        address_commune: row.get("address_commune").to_owned(),
        address_detail: row.get("address_detail").to_owned(),
        unit: unit_code.to_owned(),
    }
}

/// Each distinct commune text resolved once: id, or the error's key.
async fn communes(
    ctx: &ImportCtx<'_>,
    rows: &[Row],
) -> Result<HashMap<String, Result<Option<i64>, String>>, sqlx::Error> {
    let mut out = HashMap::new();
    for row in rows {
        let written = text::squash_spaces(row.get("address_commune"));
        if out.contains_key(&written) {
            continue;
        }
        let resolved = match service::address_commune(ctx.db, &written, ctx.unit).await {
            Ok(id) => Ok(id),
            Err(PeopleError::Validation(fields)) => Err(fields.into_values().next().unwrap_or_default()),
            Err(PeopleError::Db(e)) => return Err(e),
            Err(_) => Err("person.error.commune_unknown".to_owned()),
        };
        out.insert(written, resolved);
    }
    Ok(out)
}

/// Validated rows (None where a row has errors, reported into `checks`).
async fn validated(
    ctx: &ImportCtx<'_>,
    rows: &[Row],
    checks: &mut [RowCheck],
) -> Result<Vec<Option<(ValidPerson, Option<i64>)>>, sqlx::Error> {
    let today = service::today();
    let communes = communes(ctx, rows).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (row, check) in rows.iter().zip(checks.iter_mut()) {
        let commune = &communes[&text::squash_spaces(row.get("address_commune"))];
        if let Err(key) = commune {
            check.errors.push(("address_commune".into(), key.clone()));
        }
        match model::validate(&input_of(row, &ctx.unit.code), today) {
            Ok(valid) if check.errors.is_empty() => out.push(Some((valid, commune.clone().ok().flatten()))),
            Ok(_) => out.push(None),
            Err(fields) => {
                check.errors.extend(fields.into_iter().filter(|(f, _)| f != "unit"));
                out.push(None);
            }
        }
    }
    Ok(out)
}

fn same_birth(valid: &ValidPerson, year: Option<i64>, date: Option<&str>) -> bool {
    match (valid.birth, year) {
        (Some(Birth::Date(_)), Some(_)) if date.is_some() => valid.birth.map(Birth::iso).as_deref() == date,
        (Some(birth), Some(year)) => i64::from(birth.year()) == year,
        (None, None) => true,
        _ => false,
    }
}

/// Validation and likely duplicates of persons in `rows` (members' lists
/// read a duplicate as the person to reuse).
pub(crate) async fn check(ctx: &ImportCtx<'_>, rows: &[Row]) -> Result<Vec<RowCheck>, sqlx::Error> {
    let mut checks = vec![RowCheck::default(); rows.len()];
    let valid = validated(ctx, rows, &mut checks).await?;
    let scope = ctx.user.scope(Permission::Read);
    let cccds: Vec<String> = valid.iter().flatten().filter_map(|(v, _)| v.cccd.clone()).collect();
    let holders: HashMap<String, storage::CccdHolder> = storage::cccd_holders(ctx.db, &scope, &cccds)
        .await?
        .into_iter()
        .map(|h| (h.cccd.clone(), h))
        .collect();
    let sort_keys: Vec<String> = valid.iter().flatten().map(|(v, _)| v.sort_key.clone()).collect();
    let mut by_name: HashMap<String, Vec<storage::NameHolder>> = HashMap::new();
    for holder in storage::name_holders(ctx.db, &scope, &sort_keys).await? {
        by_name.entry(holder.name_folded.clone()).or_default().push(holder);
    }
    // A number registered outside the user's units is told, like the
    // form tells it, within the same limit; past it no row says anything.
    let hidden = holders.values().filter(|h| !h.visible).count() as i64;
    if hidden > 0 && service::hidden_cccds_told(ctx.db, ctx.user, hidden).await? {
        for (check, entry) in checks.iter_mut().zip(&valid) {
            if entry.as_ref().is_some_and(|(p, _)| p.cccd.is_some()) {
                check.errors.push(("cccd".into(), "import.error.cccd_unchecked".into()));
            }
        }
        return Ok(checks);
    }
    let home_commune = ctx.unit.placement.commune_id;
    for (check, entry) in checks.iter_mut().zip(&valid) {
        let Some((person, address)) = entry else { continue };
        if let Some(holder) = person.cccd.as_ref().and_then(|c| holders.get(c)) {
            check.duplicates.push(Duplicate {
                record_id: holder.visible.then_some(holder.id),
                label: if holder.visible {
                    holder.full_name.clone()
                } else {
                    String::new()
                },
                reason: "import.duplicate.cccd".into(),
            });
            continue;
        }
        let commune = address.or(home_commune);
        let same = by_name.get(&person.name_folded).into_iter().flatten().find(|h| {
            let other_cccd = person.cccd.is_some() && h.cccd.is_some() && person.cccd != h.cccd;
            h.commune_id == commune && same_birth(person, h.birth_year, h.birth_date.as_deref()) && !other_cccd
        });
        if let Some(holder) = same {
            check.duplicates.push(Duplicate {
                record_id: Some(holder.id),
                label: holder.full_name.clone(),
                reason: "import.duplicate.name_birth_commune".into(),
            });
        }
    }
    Ok(checks)
}

async fn commit(ctx: &ImportCtx<'_>, tx: &mut Transaction<'static, Any>, rows: &[Row]) -> Result<i64, sqlx::Error> {
    Ok(create(ctx, tx, rows).await?.len() as i64)
}

/// Creates a person for each of `rows` (checked, without errors) in the
/// unit of `ctx.access`, counted and audited; their ids, in row order.
pub(crate) async fn create(
    ctx: &ImportCtx<'_>,
    tx: &mut Transaction<'static, Any>,
    rows: &[Row],
) -> Result<Vec<i64>, sqlx::Error> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut checks = vec![RowCheck::default(); rows.len()];
    let valid: Vec<(ValidPerson, Option<i64>)> =
        validated(ctx, rows, &mut checks).await?.into_iter().flatten().collect();
    if valid.len() != rows.len() {
        // Checked just before; only a change of the reference data gets here.
        return Err(sqlx::Error::Protocol("import rows no longer valid".into()));
    }
    if !placement::lock_unit(ctx.db, tx, ctx.access).await? {
        return Err(sqlx::Error::Protocol("the unit changed meanwhile".into()));
    }
    let refs: Vec<(&ValidPerson, Option<i64>)> = valid.iter().map(|(v, a)| (v, *a)).collect();
    let started = std::time::Instant::now();
    let ids = storage::insert_imported(ctx.db, tx, ctx.access, &refs).await?;
    let inserted = started.elapsed();
    placement::counted(tx, &PERSONS, &ids, 1).await?;
    let mut commune_ids: Vec<i64> = valid.iter().filter_map(|(_, address)| *address).collect();
    let mut commune_codes: HashMap<i64, String> = HashMap::new();
    if !commune_ids.is_empty() {
        commune_ids.sort_unstable();
        commune_ids.dedup();
        for unit in org::units_by_ids(ctx.db, &commune_ids).await? {
            commune_codes.insert(unit.id, unit.code);
        }
    }
    let changes: Vec<Change> = valid
        .iter()
        .zip(&ids)
        .map(|((p, address), id)| Change {
            after: Some(serde_json::json!({
                "full_name": p.full_name,
                "sex": p.sex.as_str(),
                "birth_date": p.birth.map(Birth::iso),
                "cccd": p.cccd,
                "phone": p.phone,
                "address_commune": address.and_then(|id| commune_codes.get(&id)),
                "address_detail": p.address_detail,
                "unit": ctx.unit.code,
            })),
            ..Change::new("create", "person", *id, p.full_name.clone(), ctx.access.placement())
        })
        .collect();
    let counted = started.elapsed();
    audit::record_many(ctx.db, tx, ctx.access.actor(), changes).await?;
    tracing::debug!(
        insert_s = inserted.as_secs_f64(),
        count_s = (counted - inserted).as_secs_f64(),
        audit_s = (started.elapsed() - counted).as_secs_f64(),
        "persons imported"
    );
    Ok(ids)
}

impl ImportKind for PersonsImport {
    fn kind(&self) -> &'static str {
        "persons"
    }

    fn label_key(&self) -> &'static str {
        "import.kind.persons"
    }

    fn columns(&self) -> &'static [ColumnSpec] {
        COLUMNS
    }

    fn record_path(&self) -> &'static str {
        "/persons/"
    }

    fn unique_keys(&self, row: &Row) -> Vec<(&'static str, String)> {
        let mut keys = Vec::new();
        let cccd = super::cccd::normalise(row.get("cccd"));
        if !cccd.is_empty() {
            keys.push(("cccd", cccd));
        }
        let name = text::fold(&text::squash_spaces(row.get("full_name")));
        // Two rows with different CCCDs are two people, whatever their
        // names; namesakes born the same year are common, the same day rare.
        let full_date = row.get("birth_date").contains(['/', '-', '.']);
        if !name.is_empty() && keys.is_empty() && full_date {
            let commune = text::fold(&text::squash_spaces(row.get("address_commune")));
            keys.push(("full_name", format!("{name}|{}|{commune}", row.get("birth_date"))));
        }
        keys
    }

    crate::import_kind_fns!(check, commit);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fourth_digit_of_a_cccd_gives_the_sex() {
        assert_eq!(sex_of_cccd("001085012345"), Some(Sex::Male));
        assert_eq!(sex_of_cccd("001185012345"), Some(Sex::Female));
        assert_eq!(sex_of_cccd("0011"), None);
    }

    #[test]
    fn office_spellings_name_the_person_columns() {
        use crate::toolkit::import::headers::guess;
        for (header, key) in [
            ("Họ và tên", "full_name"),
            ("HO TEN", "full_name"),
            ("Ngày/tháng/năm sinh", "birth_date"),
            ("Năm sinh", "birth_date"),
            ("Giới tính", "sex"),
            ("Nam/Nữ", "sex"),
            ("Số CCCD", "cccd"),
            ("CCCD/CMND", "cccd"),
            ("Số định danh", "cccd"),
            ("Điện thoại", "phone"),
            ("SĐT", "phone"),
            ("Địa chỉ", "address_detail"),
            ("Thôn/Tổ dân phố", "address_detail"),
            ("Xã/Phường", "address_commune"),
            ("Xã/phường nơi ở", "address_commune"),
            ("Số nhà, thôn/tổ", "address_detail"),
        ] {
            assert_eq!(guess(header, COLUMNS), Some(key), "{header}");
        }
        for header in ["STT", "Ghi chú", "Mã hồ sơ", "Đơn vị quản lý", "Mã đơn vị"] {
            assert_eq!(guess(header, COLUMNS), None, "{header}");
        }
    }
}
