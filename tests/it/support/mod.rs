//! Test harness: a fresh, migrated database per test on the backend named by
//! `NHANAI_TEST_BACKEND` (sqlite, the default, or postgres), the real router,
//! and a client that keeps cookies like a browser. Fixtures live beside it:
//! `units` (named unit codes) and one module per domain (`people`).

pub mod ledger;
pub mod members;
pub mod people;
pub mod units;

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use nhanai::access::Principal;
use nhanai::accounts::service::{self, NewAccount};
use nhanai::db::{Db, Sql};
use nhanai::web::Settings;
use serde_json::Value;
use tower::ServiceExt;

pub const PASSWORD: &str = "mat-khau-thu-nghiem";

pub fn backend() -> String {
    std::env::var("NHANAI_TEST_BACKEND").unwrap_or_else(|_| "sqlite".into())
}

fn postgres_base() -> String {
    std::env::var("NHANAI_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// A key that changes whenever the schema or the reference data change.
fn schema_key() -> String {
    let mut hash: u64 = 0xcbf29ce484222325;
    for dir in ["migrations/sqlite", "migrations/postgres"] {
        let mut files: Vec<_> = std::fs::read_dir(format!("{}/{dir}", env!("CARGO_MANIFEST_DIR")))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        for file in files {
            for byte in std::fs::read(&file).unwrap_or_default() {
                hash = (hash ^ u64::from(byte)).wrapping_mul(0x100000001b3);
            }
        }
    }
    format!("{hash:016x}")
}

fn unique() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        rand_suffix()
    )
}

fn rand_suffix() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

pub async fn run(db: &Db, statement: &str) {
    Sql::new(statement)
        .execute(db.pool())
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

/// A migrated database with reference data, copied from a template that is
/// built once per schema version (tests stay fast and isolated).
async fn fresh_database() -> (String, Option<Arc<tempfile::TempDir>>) {
    fresh_database_on(&backend()).await
}

/// A fresh migrated database on `backend` (sqlite or postgres), whatever
/// the run's backend: its URL, and the folder holding it (SQLite).
pub async fn fresh_database_on(backend: &str) -> (String, Option<Arc<tempfile::TempDir>>) {
    let key = schema_key();
    if backend == "postgres" {
        let admin = Db::connect(&format!("{}/test", postgres_base()))
            .await
            .expect("postgres is running");
        let template = format!("nhanai_tpl_{key}");
        run(&admin, "SELECT pg_advisory_lock(424242)").await;
        let exists = Sql::new(&format!("SELECT 1 FROM pg_database WHERE datname = '{template}'"))
            .fetch_optional(admin.pool())
            .await
            .expect("query")
            .is_some();
        if !exists {
            let building = format!("{template}_build");
            let _ = Sql::new(&format!("DROP DATABASE IF EXISTS {building}"))
                .execute(admin.pool())
                .await;
            run(&admin, &format!("CREATE DATABASE {building}")).await;
            let db = nhanai::open_database(&format!("{}/{building}", postgres_base()))
                .await
                .expect("migrate");
            db.close().await;
            run(&admin, &format!("ALTER DATABASE {building} RENAME TO {template}")).await;
        }
        run(&admin, "SELECT pg_advisory_unlock(424242)").await;
        let name = format!("nhanai_t_{}", unique());
        for attempt in 0..20 {
            match Sql::new(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .execute(admin.pool())
                .await
            {
                Ok(_) => break,
                Err(e) if attempt < 19 => {
                    eprintln!("retrying database copy: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot copy template: {e}"),
            }
        }
        admin.close().await;
        // Dropped by scripts/test before and after the run.
        (format!("{}/{name}", postgres_base()), None)
    } else {
        let dir = std::env::temp_dir().join("nhanai-tests");
        std::fs::create_dir_all(&dir).expect("temp dir");
        let template = dir.join(format!("template-{key}.db"));
        if !template.exists() {
            let building = dir.join(format!("building-{}.db", unique()));
            let db = nhanai::open_database(&format!("sqlite://{}?mode=rwc", building.display()))
                .await
                .expect("migrate");
            run(&db, "PRAGMA wal_checkpoint(TRUNCATE)").await;
            db.close().await;
            let _ = std::fs::remove_file(format!("{}-wal", building.display()));
            let _ = std::fs::remove_file(format!("{}-shm", building.display()));
            std::fs::rename(&building, &template).expect("publish template");
        }
        let own = tempfile::Builder::new()
            .prefix("t-")
            .tempdir_in(&dir)
            .expect("test dir");
        let file = own.path().join("nhanai.db");
        std::fs::copy(&template, &file).expect("copy template");
        (format!("sqlite://{}?mode=rwc", file.display()), Some(Arc::new(own)))
    }
}

#[derive(Clone)]
pub struct TestApp {
    pub db: Db,
    pub router: Router,
    pub url: String,
    /// The SQLite test database's folder, removed when the last clone goes.
    _dir: Option<Arc<tempfile::TempDir>>,
}

impl TestApp {
    pub async fn new() -> TestApp {
        TestApp::with_settings(Settings::default()).await
    }

    pub async fn with_settings(settings: Settings) -> TestApp {
        let (url, dir) = fresh_database().await;
        let db = nhanai::open_database(&url).await.expect("open test database");
        let router = nhanai::app::router(db.clone(), settings);
        TestApp {
            db,
            router,
            url,
            _dir: dir,
        }
    }

    /// The command line's operator (an administrator of the whole country).
    pub async fn operator(&self) -> Principal {
        let central = nhanai::org::service::central(&self.db).await.expect("central unit");
        Principal::system("test", central)
    }

    /// Creates an account with one role; the password is `PASSWORD`.
    pub async fn user(&self, username: &str, role: &str, unit: &str) -> i64 {
        let new = NewAccount {
            username: username.into(),
            display_name: format!("Cán bộ {username}"),
            password: PASSWORD.into(),
            role: role.into(),
            unit_code: unit.into(),
        };
        service::create(&self.db, &self.operator().await, new)
            .await
            .expect("create account")
    }

    /// Runs a statement as the database's owner (test set-up, tampering).
    pub async fn sql(&self, statement: &str) -> Result<u64, sqlx::Error> {
        Sql::new(statement)
            .execute(self.db.pool())
            .await
            .map(|r| r.rows_affected())
    }

    /// One integer from a query (`SELECT COUNT(*) …`).
    pub async fn count(&self, query: &str) -> i64 {
        Sql::new(query)
            .fetch_optional(self.db.pool())
            .await
            .unwrap_or_else(|e| panic!("{query}: {e}"))
            .map(|r| nhanai::db::int(&r, 0))
            .unwrap_or(0)
    }

    /// Another server process on the same database: its own pool and router,
    /// nothing shared in memory with the first.
    pub async fn second_server(&self) -> TestApp {
        let db = Db::connect(&self.url).await.expect("second pool");
        let router = nhanai::app::router(db.clone(), Settings::default());
        TestApp {
            db,
            router,
            url: self.url.clone(),
            _dir: self._dir.clone(),
        }
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookies: HashMap::new(),
            csrf: None,
            peer: None,
            headers: Vec::new(),
        }
    }

    /// A client logged in through the API as a new account with `role` on `unit`.
    pub async fn signed_in(&self, username: &str, role: &str, unit: &str) -> Client {
        self.user(username, role, unit).await;
        let mut client = self.client();
        client.login(username, PASSWORD).await;
        client
    }
}

pub struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
    /// The body as sent (downloads).
    pub bytes: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn location(&self) -> String {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }
}

pub struct Client {
    router: Router,
    cookies: HashMap<String, String>,
    pub csrf: Option<String>,
    /// The address the request comes from, as a real connection would give it.
    pub peer: Option<std::net::SocketAddr>,
    /// Extra headers sent with every request (X-Forwarded-For …).
    pub headers: Vec<(String, String)>,
}

impl Client {
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<Body>,
        with_csrf: bool,
    ) -> Response {
        let response = self.open(method, path, content_type, body, with_csrf).await;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        Response {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    /// Sends a request and returns the response with its body unread (a
    /// download still streaming).
    pub async fn open(
        &mut self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<Body>,
        with_csrf: bool,
    ) -> axum::response::Response {
        let mut request = Request::builder().method(method).uri(path);
        if !self.cookies.is_empty() {
            let cookie = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            request = request.header(header::COOKIE, cookie);
        }
        if let Some(ct) = content_type {
            request = request.header(header::CONTENT_TYPE, ct);
        }
        if let (true, Some(token)) = (with_csrf, &self.csrf) {
            request = request.header("x-csrf-token", token);
        }
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let mut request = request.body(body.into()).expect("request");
        if let Some(peer) = self.peer {
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        }
        let response = self.router.clone().oneshot(request).await.expect("infallible");
        for set in response.headers().get_all(header::SET_COOKIE) {
            if let Some((pair, _)) = set
                .to_str()
                .unwrap_or_default()
                .split_once(';')
                .or(Some((set.to_str().unwrap_or_default(), "")))
            {
                if let Some((k, v)) = pair.split_once('=') {
                    self.cookies.insert(k.trim().to_owned(), v.trim().to_owned());
                }
            }
        }
        response
    }

    /// Sends the next requests from `address` (an IP), as a connection would.
    pub fn at_address(mut self, address: &str) -> Client {
        self.peer = Some(std::net::SocketAddr::new(address.parse().expect("ip"), 40000));
        self
    }

    /// Sends the next requests to `app` (another server behind the same
    /// load balancer), keeping the cookies.
    pub fn switch_to(&mut self, app: &TestApp) {
        self.router = app.router.clone();
    }

    pub async fn get(&mut self, path: &str) -> Response {
        self.send(Method::GET, path, None, String::new(), false).await
    }

    pub async fn post_json(&mut self, path: &str, body: &Value) -> Response {
        self.send(Method::POST, path, Some("application/json"), body.to_string(), true)
            .await
    }

    pub async fn put_json(&mut self, path: &str, body: &Value) -> Response {
        self.send(Method::PUT, path, Some("application/json"), body.to_string(), true)
            .await
    }

    pub async fn patch_json(&mut self, path: &str, body: &Value) -> Response {
        self.send(Method::PATCH, path, Some("application/json"), body.to_string(), true)
            .await
    }

    pub async fn delete(&mut self, path: &str) -> Response {
        self.send(Method::DELETE, path, None, String::new(), true).await
    }

    /// Posts a form the way a browser does, with the page's CSRF field.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let mut pairs: Vec<(&str, &str)> = fields.to_vec();
        let token = self.csrf.clone().unwrap_or_default();
        pairs.push(("csrf_token", &token));
        let body = serde_urlencoded::to_string(&pairs).expect("form");
        self.send(
            Method::POST,
            path,
            Some("application/x-www-form-urlencoded"),
            body,
            false,
        )
        .await
    }

    /// Uploads `file` as multipart/form-data with `fields`, the way a
    /// browser sends a form with a file input (API: CSRF header).
    pub async fn upload(&mut self, path: &str, fields: &[(&str, &str)], file_name: &str, file: &[u8]) -> Response {
        let boundary = "----nhanai-test-boundary-7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let api = path.starts_with("/api/");
        let path = if api {
            path.to_owned()
        } else {
            format!("{path}?csrf_token={}", encode(self.csrf.as_deref().unwrap_or_default()))
        };
        self.send(Method::POST, &path, Some(&content_type), body, api).await
    }

    pub async fn login(&mut self, username: &str, password: &str) -> Response {
        let response = self
            .post_json(
                "/api/v1/session",
                &serde_json::json!({"username": username, "password": password}),
            )
            .await;
        if response.status == StatusCode::OK {
            self.csrf = response.json()["csrf_token"].as_str().map(str::to_owned);
        }
        response
    }
}

/// Percent-encodes a query parameter value.
pub fn encode(value: &str) -> String {
    serde_urlencoded::to_string([("", value)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}
