//! A server killed (SIGKILL) while it commits a 20,000-row import: after
//! a restart the registry holds all of the rows or none, and the job says
//! which. The server is the real binary; nothing runs jobs in this process.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nhanai::db::{Db, Sql};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::units::BA_DINH;
use crate::support::{backend, fresh_database_on};

const ROWS: usize = 20_000;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(url: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_nhanai"))
        .args([
            "--database-url",
            url,
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--job-lease-seconds",
            "2",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start nhanai")
}

/// One HTTP/1.0 exchange (no chunked answers): status, headers, body.
async fn http(port: u16, head: &str, body: &[u8]) -> (u16, String, Vec<u8>) {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let request = format!("{head}\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n\r\n", body.len());
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").expect("head");
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let status = head[9..12].parse().unwrap();
    (status, head, answer[split + 4..].to_vec())
}

async fn wait_until_up(port: u16) {
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not start");
}

pub fn list(rows: usize) -> Vec<u8> {
    let family = [
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
        "Dương", "Lý", "Đinh", "Mai", "Tạ", "Cao",
    ];
    let middle = [
        "Văn", "Thị", "Minh", "Hữu", "Đức", "Thanh", "Ngọc", "Quang", "Xuân", "Thu", "Hồng", "Kim", "Bảo", "Gia",
        "Anh", "Tuấn", "Hải", "Phương", "Khánh", "Trung",
    ];
    let given = [
        "An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khoa", "Lan",
        "Linh", "Long", "Mai", "Minh", "Nam", "Nga", "Ngân", "Nhung", "Oanh", "Phúc", "Quân", "Quế", "Sơn", "Tâm",
        "Thảo", "Thắng", "Thành", "Thủy", "Tiến", "Trang", "Trí", "Trinh", "Tú", "Tùng", "Uyên", "Vân", "Việt", "Vinh",
        "Xuân", "Yến", "Ánh", "Đào", "Điệp", "Định", "Đông", "Ước",
    ];
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["Họ và tên", "Năm sinh", "Giới tính"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for i in 0..rows {
        let name = format!("{} {} {}", family[i % 20], middle[(i / 20) % 20], given[(i / 400) % 50]);
        let r = i as u32 + 1;
        sheet.write_string(r, 0, name).unwrap();
        sheet.write_number(r, 1, 1940.0 + (i % 60) as f64).unwrap();
        sheet.write_string(r, 2, if i % 2 == 0 { "Nam" } else { "Nữ" }).unwrap();
    }
    book.save_to_buffer().unwrap()
}

async fn int(db: &Db, query: &str) -> i64 {
    Sql::new(query)
        .fetch_optional(db.pool())
        .await
        .unwrap()
        .map(|r| nhanai::db::int(&r, 0))
        .unwrap_or(-1)
}

async fn text(db: &Db, query: &str) -> String {
    use sqlx::Row;
    Sql::new(query)
        .fetch_optional(db.pool())
        .await
        .unwrap()
        .map(|r| r.try_get::<String, _>(0).unwrap())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_server_killed_mid_commit_leaves_all_rows_or_none() {
    let (url, _dir) = fresh_database_on(&backend()).await;
    let db = nhanai::open_database(&url).await.unwrap();
    let central = nhanai::org::service::central(&db).await.unwrap();
    let operator = nhanai::access::Principal::system("test", central);
    let account = nhanai::accounts::service::NewAccount {
        username: "badinh".into(),
        display_name: "Cán bộ".into(),
        password: "mat-khau-dai-2026".into(),
        role: "staff".into(),
        unit_code: BA_DINH.into(),
    };
    nhanai::accounts::service::create(&db, &operator, account)
        .await
        .unwrap();

    let port = free_port();
    let mut server = start(&url, port);
    wait_until_up(port).await;
    let login = br#"{"username":"badinh","password":"mat-khau-dai-2026"}"#;
    let (status, head, body) = http(
        port,
        "POST /api/v1/session HTTP/1.0\r\nContent-Type: application/json",
        login,
    )
    .await;
    assert_eq!(status, 200, "{head}");
    let cookie = head
        .lines()
        .find_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or_else(|| l.strip_prefix("Set-Cookie: "))
        })
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let csrf = serde_json::from_slice::<Value>(&body).unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let auth = format!("Cookie: {cookie}\r\nX-CSRF-Token: {csrf}");

    let boundary = "crash-test-boundary";
    let mut form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\npersons\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"unit\"\r\n\r\n{BA_DINH}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"ds.xlsx\"\r\n\r\n"
    )
    .into_bytes();
    form.extend_from_slice(&list(ROWS));
    form.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let head =
        format!("POST /api/v1/imports HTTP/1.0\r\n{auth}\r\nContent-Type: multipart/form-data; boundary={boundary}");
    let (status, _, body) = http(port, &head, &form).await;
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let id = serde_json::from_slice::<Value>(&body).unwrap()["id"].as_i64().unwrap();

    let deadline = Instant::now() + Duration::from_secs(120);
    while text(&db, &format!("SELECT status FROM imports WHERE id = {id}")).await != "preview" {
        assert!(Instant::now() < deadline, "never checked");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        int(&db, &format!("SELECT error_count FROM imports WHERE id = {id}")).await,
        0
    );
    let (status, _, body) = http(
        port,
        &format!("POST /api/v1/imports/{id}/commit HTTP/1.0\r\n{auth}"),
        b"",
    )
    .await;
    assert_eq!(status, 202, "{}", String::from_utf8_lossy(&body));

    // Killed once the commit job has checked its rows and is writing them
    // (or, on a fast machine, whenever it is running).
    let job = "SELECT id FROM jobs WHERE kind = 'import.commit'";
    loop {
        let running = int(
            &db,
            &format!(
                "SELECT COUNT(*) FROM jobs WHERE kind = 'import.commit' AND status = 'running' AND done >= {ROWS}"
            ),
        )
        .await;
        let over = int(
            &db,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'import.commit' AND status <> 'running' AND status <> 'queued'",
        )
        .await;
        if running == 1 || over == 1 {
            break;
        }
        assert!(Instant::now() < deadline, "commit never ran");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill().expect("SIGKILL");
    server.wait().unwrap();
    let at_kill = int(&db, "SELECT COUNT(*) FROM persons").await;
    assert!(
        at_kill == 0 || at_kill == ROWS as i64,
        "half-applied at the kill: {at_kill}"
    );

    let mut server = start(&url, port);
    wait_until_up(port).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        let status = text(&db, &format!("SELECT status FROM jobs WHERE id = ({job})")).await;
        if status == "done" || status == "failed" {
            break status;
        }
        assert!(Instant::now() < deadline, "the job was never taken over: {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    server.kill().unwrap();
    server.wait().unwrap();
    let persons = int(&db, "SELECT COUNT(*) FROM persons").await;
    let import = text(&db, &format!("SELECT status FROM imports WHERE id = {id}")).await;
    let entries = int(&db, "SELECT COUNT(*) FROM audit_log WHERE action = 'import'").await;
    match status.as_str() {
        "done" => {
            assert_eq!(persons, ROWS as i64);
            assert_eq!((import.as_str(), entries), ("committed", 1));
        }
        _ => {
            assert_eq!(persons, 0);
            assert_ne!(import, "committed");
        }
    }
    db.close().await;
}
