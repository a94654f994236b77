//! `nhanai bench import`: a generated `rows`-row `.xlsx` uploaded through
//! HTTP until committed, into a fresh, empty registry (the goal's figure)
//! and again into a fresh one holding `count` persons; that registry
//! downloaded whole as `.xlsx` (rate and the export's own memory); and its
//! central unit page with its counts and pyramid. Prints one JSON line
//! last.

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

use super::child::{resident_mb, ChildServer};
use super::http::{Server, Session};
use super::{drop_fresh, fresh, percentiles, BenchError, BENCH_PASSWORD};
use crate::access::{Access, Permission, Principal};
use crate::db::Backend;
use crate::demo::generator::{cccd_province_for, Generator};
use crate::org::service as org;
use crate::people::bulk::{BulkLoad, Record};
use crate::people::model::{Birth, ValidPerson};

#[derive(Clone, Copy, Debug)]
pub struct ImportPlan {
    /// Rows of the uploaded file.
    pub rows: usize,
    /// Persons in the registry (and in the export).
    pub count: usize,
    /// Timed unit pages.
    pub samples: usize,
}

pub async fn import(url: &str, plan: ImportPlan) -> Result<(), BenchError> {
    let empty = import_into_empty(url, plan.rows).await?;
    let target = fresh(url).await?;
    let result = run(&target.url, plan).await;
    drop_fresh(target).await;
    let mut result = result?;
    let round = |x: f64| (x * 100.0).round() / 100.0;
    result["import_check_seconds"] = json!(round(empty.check_seconds));
    result["import_seconds"] = json!(round(empty.seconds));
    result["import_rows_per_s"] = json!(empty.rows_per_s(plan.rows));
    println!("{result}");
    Ok(())
}

/// Loads `count` generated persons, a chunk at a time.
async fn load(db: &crate::db::Db, operator: &Principal, count: usize) -> Result<f64, BenchError> {
    let communes = org::communes_with_province(db, None, false).await?;
    let accesses: Vec<Access> = communes
        .iter()
        .map(|(unit, _)| operator.access(Permission::Write, unit).ok_or(BenchError::NoAccess))
        .collect::<Result<_, _>>()?;
    let mut g = Generator::new(7);
    let mut serial = 0u64;
    let started = Instant::now();
    let mut load = BulkLoad::begin(db).await?;
    let mut done = 0;
    while done < count {
        let mut chunk: Vec<(ValidPerson, usize)> = Vec::with_capacity(50_000);
        while chunk.len() < 50_000 && done + chunk.len() < count {
            let c = g.below(communes.len());
            let province = cccd_province_for(&communes[c].1);
            for p in g.household(&province, &communes[c].0.code, &mut serial, 2026) {
                chunk.push((p, c));
            }
        }
        chunk.truncate(count - done);
        let records: Vec<Record<'_>> = chunk
            .iter()
            .map(|(person, c)| Record {
                person,
                access: &accesses[*c],
                address_commune_id: None,
            })
            .collect();
        load.insert(&records).await?;
        done += chunk.len();
    }
    load.commit().await?;
    Ok(started.elapsed().as_secs_f64())
}

/// An office's list: a title block, then name, birth date (a date cell),
/// sex, CCCD (text), phone and hamlet; with `joined`, a member list's date
/// of joining the Society too, and no CCCDs.
pub(super) fn workbook(
    rows: usize,
    seed: u64,
    (commune, province): (&str, &str),
    joined: bool,
) -> Result<Vec<u8>, BenchError> {
    let fail = |e: rust_xlsxwriter::XlsxError| BenchError::Http(e.to_string());
    let mut g = Generator::new(seed);
    let mut serial = 900_000u64;
    let mut book = rust_xlsxwriter::Workbook::new();
    let day = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "DANH SÁCH HỘI VIÊN").map_err(fail)?;
    let headers = [
        "STT",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Số CCCD",
        "Điện thoại",
        "Thôn/Tổ dân phố",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string(2, c as u16, *h).map_err(fail)?;
    }
    if joined {
        sheet.write_string(2, 7, "Ngày vào Hội").map_err(fail)?;
    }
    let mut r = 0usize;
    while r < rows {
        for p in g.household(&cccd_province_for(province), commune, &mut serial, 2026) {
            if r == rows {
                break;
            }
            let row = r as u32 + 3;
            sheet.write_number(row, 0, (r + 1) as f64).map_err(fail)?;
            sheet.write_string(row, 1, &p.full_name).map_err(fail)?;
            match p.birth {
                Some(Birth::Date(d)) => {
                    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(d.year() as u16, u8::from(d.month()), d.day())
                        .map_err(fail)?;
                    sheet.write_datetime_with_format(row, 2, &date, &day).map_err(fail)?;
                }
                Some(Birth::Year(y)) => {
                    sheet.write_number(row, 2, f64::from(y)).map_err(fail)?;
                }
                None => {}
            }
            sheet
                .write_string(row, 3, if p.sex.as_str() == "F" { "Nữ" } else { "Nam" })
                .map_err(fail)?;
            // A branch's member list rarely carries CCCDs (and generated
            // ones may repeat a million persons' numbers).
            let cccd = if joined { "" } else { p.cccd.as_deref().unwrap_or("") };
            sheet.write_string(row, 4, cccd).map_err(fail)?;
            sheet
                .write_string(row, 5, p.phone.as_deref().unwrap_or(""))
                .map_err(fail)?;
            sheet.write_string(row, 6, &p.address_detail).map_err(fail)?;
            if joined {
                sheet.write_string(row, 7, "15/05/2020").map_err(fail)?;
            }
            r += 1;
        }
    }
    book.save_to_buffer().map_err(fail)
}

pub(super) async fn wait_for(session: &Session, id: i64, status: &str) -> Result<Value, BenchError> {
    loop {
        let (code, body) = session
            .send(Method::GET, &format!("/api/v1/imports/{id}"), None, Vec::new())
            .await?;
        let view: Value = serde_json::from_slice(&body).map_err(|e| BenchError::Http(e.to_string()))?;
        if code != StatusCode::OK || view["job"]["status"] == "failed" {
            return Err(BenchError::Http(format!("import {id}: {view}")));
        }
        let running = matches!(view["job"]["status"].as_str(), Some("running" | "queued"));
        if view["status"] == status && !running {
            return Ok(view);
        }
        // Often enough that waiting adds little to what is measured.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A database with `count` persons, the two bench accounts, and a server
/// with both logged in.
struct Stage {
    db: crate::db::Db,
    operator: Principal,
    load_seconds: f64,
    server: Server,
    staff: Session,
    viewer: Session,
    commune: crate::org::Unit,
    province: String,
}

async fn stage(url: &str, count: usize) -> Result<Stage, BenchError> {
    let db = crate::open_database(url).await?;
    let operator = Principal::system("bench", org::central(&db).await?);
    let load_seconds = if count > 0 {
        load(&db, &operator, count).await?
    } else {
        0.0
    };
    let communes = org::communes_with_province(&db, None, false).await?;
    let (commune, province) = communes.first().cloned().ok_or(BenchError::NoAccess)?;
    for (username, role, unit) in [
        ("bench.staff", "staff", commune.code.clone()),
        ("bench.viewer", "viewer", crate::org::model::CENTRAL_CODE.to_owned()),
    ] {
        let new = crate::accounts::service::NewAccount {
            username: username.to_owned(),
            display_name: username.to_owned(),
            password: BENCH_PASSWORD.to_owned(),
            role: role.to_owned(),
            unit_code: unit,
        };
        crate::accounts::service::create(&db, &operator, new)
            .await
            .map_err(|e| BenchError::Http(e.to_string()))?;
    }
    // The work is timed once the bulk load is in the database's files.
    let _ = db.settle().await;
    let server = Server::start(url, None)?;
    let staff = Session::login(server.addr, "bench.staff", BENCH_PASSWORD).await?;
    let viewer = Session::login(server.addr, "bench.viewer", BENCH_PASSWORD).await?;
    Ok(Stage {
        db,
        operator,
        load_seconds,
        server,
        staff,
        viewer,
        commune,
        province,
    })
}

/// How long a generated `rows`-row file took from upload to checked and
/// to committed, and how many persons it created.
pub(super) struct Imported {
    pub check_seconds: f64,
    pub seconds: f64,
    pub created: u64,
}

impl Imported {
    pub fn rows_per_s(&self, rows: usize) -> f64 {
        (rows as f64 / self.seconds).round()
    }
}

/// Uploads a generated list of `rows` persons of the stage's commune
/// (`seed` picks the persons) and commits it, as the staff account.
async fn timed_import(stage: &Stage, rows: usize, seed: u64) -> Result<Imported, BenchError> {
    let file = workbook(rows, seed, (&stage.commune.code, &stage.province), false)?;
    upload_and_commit(&stage.staff, ("persons", &stage.commune.code), file).await
}

/// Uploads `file` as an import of `kind` into `unit`, waits for its check
/// (which must find no error), commits it and waits for the commit.
pub(super) async fn upload_and_commit(
    staff: &Session,
    (kind, unit): (&str, &str),
    file: Vec<u8>,
) -> Result<Imported, BenchError> {
    upload_and_commit_with(staff, &[("kind", kind), ("unit", unit)], "ds.xlsx", file).await
}

/// Uploads `file` (named `file_name`) with the multipart `fields`, waits
/// for its check (which must find no error), commits it and waits.
pub(super) async fn upload_and_commit_with(
    staff: &Session,
    fields: &[(&str, &str)],
    file_name: &str,
    file: Vec<u8>,
) -> Result<Imported, BenchError> {
    let boundary = "nhanai-bench-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\r\n")
            .as_bytes(),
    );
    body.extend_from_slice(&file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let started = Instant::now();
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let (code, answer) = staff
        .send(Method::POST, "/api/v1/imports", Some(&content_type), body)
        .await?;
    let view: Value = serde_json::from_slice(&answer).map_err(|e| BenchError::Http(e.to_string()))?;
    let id = view["id"]
        .as_i64()
        .ok_or_else(|| BenchError::Http(format!("upload: {code} {view}")))?;
    let checked = wait_for(staff, id, "preview").await?;
    let check_seconds = started.elapsed().as_secs_f64();
    if checked["error_count"] != 0 {
        return Err(BenchError::Http(format!(
            "the generated file has errors: {}",
            checked["errors"]
        )));
    }
    staff
        .send(Method::POST, &format!("/api/v1/imports/{id}/commit"), None, Vec::new())
        .await?;
    let committed = wait_for(staff, id, "committed").await?;
    Ok(Imported {
        check_seconds,
        seconds: started.elapsed().as_secs_f64(),
        created: committed["created_count"].as_u64().unwrap_or(0),
    })
}

/// The import goal's figure: the file into a fresh, empty registry.
async fn import_into_empty(url: &str, rows: usize) -> Result<Imported, BenchError> {
    let target = fresh(url).await?;
    let result = async {
        let stage = stage(&target.url, 0).await?;
        let imported = timed_import(&stage, rows, 11).await;
        drop(stage.server);
        stage.db.close().await;
        imported
    }
    .await;
    drop_fresh(target).await;
    result
}

async fn run(url: &str, plan: ImportPlan) -> Result<Value, BenchError> {
    let stage = stage(url, plan.count).await?;
    // The same size of file again, into the registry of `count` persons.
    let at_count = timed_import(&stage, plan.rows, 13).await?;
    let Stage {
        db,
        operator,
        load_seconds,
        server,
        viewer,
        commune,
        ..
    } = stage;

    // The whole registry as .xlsx, from a server process of its own whose
    // resident memory is sampled while it makes the file.
    let exporter = ChildServer::start(url)?;
    let exporting = Session::login(exporter.addr, "bench.viewer", BENCH_PASSWORD).await?;
    let peak = std::sync::Arc::new(std::sync::Mutex::new(0.0f64));
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let (peak, sampling, pid) = (peak.clone(), sampling.clone(), exporter.pid());
        std::thread::spawn(move || {
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                let now = resident_mb(pid);
                let mut p = peak.lock().unwrap_or_else(|e| e.into_inner());
                *p = p.max(now);
                drop(p);
                std::thread::sleep(Duration::from_millis(10));
            }
        })
    };
    let started = Instant::now();
    let (code, xlsx_bytes) = exporting.download("/persons/export.xlsx").await?;
    let export_seconds = started.elapsed().as_secs_f64();
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let _ = sampler.join();
    drop(exporter);
    if code != StatusCode::OK {
        return Err(BenchError::Http(format!("export: {code}")));
    }
    let exported = plan.count + at_count.created as usize;
    let peak_mb = *peak.lock().unwrap_or_else(|e| e.into_inner());

    let mut rng = SmallRng::seed_from_u64(5);
    let mut pages = Vec::with_capacity(plan.samples);
    for _ in 0..plan.samples {
        let path = if rng.gen_bool(0.5) {
            "/units/TW"
        } else {
            "/units/TW?sort=persons&dir=desc"
        };
        let t = Instant::now();
        let status = viewer.get(path).await?;
        pages.push(t.elapsed().as_secs_f64() * 1000.0);
        if status != StatusCode::OK {
            return Err(BenchError::Http(format!("unit page: {status}")));
        }
    }
    // A 1,000-person list in the official format, typeset three times.
    let mut listed = crate::people::search::export(&db, &operator, "", Some(&commune.code), 1000)
        .await
        .map_err(|e| BenchError::Http(e.to_string()))?;
    let mut rows = Vec::new();
    while let Some(person) = listed.recv().await {
        let person = person?;
        rows.push(vec![
            person.full_name,
            person.sex.as_str().to_owned(),
            person.birth.map(|b| b.display()).unwrap_or_default(),
            person.address.detail,
        ]);
    }
    let document = nhanai_pdf::ListDocument {
        issuer_parent: "Hội Chữ thập đỏ Việt Nam".into(),
        issuer: format!("Hội Chữ thập đỏ {}", commune.name),
        place: "Hà Nội".into(),
        date: (2026, 11, 28),
        title: "DANH SÁCH".into(),
        columns: vec![
            ("Họ và tên".into(), 3.0),
            ("Giới tính".into(), 1.0),
            ("Ngày sinh".into(), 1.4),
            ("Nơi ở".into(), 3.0),
        ],
        rows,
        signer_title: "Chủ tịch".into(),
        ..Default::default()
    };
    let mut pdf_ms = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        nhanai_pdf::render_list(&document).map_err(|e| BenchError::Http(e.to_string()))?;
        pdf_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    pdf_ms.sort_by(f64::total_cmp);
    drop(server);
    db.close().await;
    let round = |x: f64| (x * 100.0).round() / 100.0;
    Ok(json!({
        "backend": match db.backend() { Backend::Sqlite => "sqlite", Backend::Postgres => "postgres" },
        "rows": plan.rows,
        "count": plan.count,
        "load_seconds": round(load_seconds),
        "import_at_count_seconds": round(at_count.seconds),
        "import_at_count_rows_per_s": at_count.rows_per_s(plan.rows),
        "export_rows": exported,
        "export_bytes": xlsx_bytes,
        "export_seconds": round(export_seconds),
        "export_rows_per_s": (exported as f64 / export_seconds).round(),
        "export_peak_rss_mb": round(peak_mb),
        "unit_page_ms": percentiles(pages),
        "pdf_list_rows": document.rows.len(),
        "pdf_list_ms": (pdf_ms[1] * 10.0).round() / 10.0,
    }))
}
