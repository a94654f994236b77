//! Benchmarks through the real router and HTTP stack: the authenticated
//! point read with the server on one core and the load generator on
//! another, and searches while log-ins arrive at 50 a second.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::sync::oneshot;

use super::BenchError;
use crate::web::Settings;

/// The application serving on its own thread and runtime.
pub struct Server {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Serves `url`'s database on 127.0.0.1. Pinned to `core`, the server
    /// runs a single-threaded runtime there, and its database pool is made
    /// there too, so SQLite's connection threads inherit the pin.
    pub fn start(url: &str, core: Option<core_affinity::CoreId>) -> Result<Server, BenchError> {
        let (ready, addr) = std::sync::mpsc::channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let url = url.to_owned();
        let thread = std::thread::spawn(move || {
            let pinned = core.is_some_and(core_affinity::set_for_current);
            let runtime = if pinned {
                tokio::runtime::Builder::new_current_thread().enable_all().build()
            } else {
                tokio::runtime::Builder::new_multi_thread().enable_all().build()
            };
            let Ok(runtime) = runtime else { return };
            runtime.block_on(async move {
                let served = async {
                    let db = crate::db::Db::connect(&url).await.map_err(|e| e.to_string())?;
                    let app = crate::app::router(db, Settings::default());
                    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                        .await
                        .map_err(|e| e.to_string())?;
                    let _ = ready.send(listener.local_addr().map_err(|e| e.to_string()));
                    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                        .with_graceful_shutdown(async {
                            let _ = stopped.await;
                        })
                        .await
                        .map_err(|e| e.to_string())
                };
                if let Err(e) = served.await {
                    let _ = ready.send(Err(e));
                }
            });
        });
        let addr = addr
            .recv()
            .map_err(|e| BenchError::Http(e.to_string()))?
            .map_err(BenchError::Http)?;
        Ok(Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A signed-in HTTP client of `server`.
#[derive(Clone)]
pub struct Session {
    http: Client<HttpConnector, Body>,
    base: String,
    cookie: String,
    csrf: String,
}

fn http_client() -> Client<HttpConnector, Body> {
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(64)
        .build_http()
}

async fn post_login(
    http: &Client<HttpConnector, Body>,
    base: &str,
    username: &str,
    password: &str,
) -> Result<(StatusCode, String, String), BenchError> {
    let body = serde_json::json!({"username": username, "password": password}).to_string();
    let request = Request::post(format!("{base}/api/v1/session"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .map_err(|e| BenchError::Http(e.to_string()))?;
    let response = http
        .request(request)
        .await
        .map_err(|e| BenchError::Http(e.to_string()))?;
    let status = response.status();
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .to_owned();
    let body = response
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let csrf = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["csrf_token"].as_str().map(str::to_owned))
        .unwrap_or_default();
    Ok((status, cookie, csrf))
}

impl Session {
    pub async fn login(addr: SocketAddr, username: &str, password: &str) -> Result<Session, BenchError> {
        let http = http_client();
        let base = format!("http://{addr}");
        let (status, cookie, csrf) = post_login(&http, &base, username, password).await?;
        if status != StatusCode::OK {
            return Err(BenchError::Http(format!("log-in of {username}: {status}")));
        }
        Ok(Session {
            http,
            base,
            cookie,
            csrf,
        })
    }

    /// GETs a download, counting its bytes as they arrive without keeping
    /// them (the benchmark measures the server's memory, not its own).
    pub async fn download(&self, path: &str) -> Result<(StatusCode, u64), BenchError> {
        let request = Request::get(format!("{}{path}", self.base))
            .header(header::COOKIE, &self.cookie)
            .body(Body::empty())
            .map_err(|e| BenchError::Http(e.to_string()))?;
        let response = self
            .http
            .request(request)
            .await
            .map_err(|e| BenchError::Http(e.to_string()))?;
        let status = response.status();
        let mut body = response.into_body();
        let mut bytes = 0u64;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| BenchError::Http(e.to_string()))?;
            bytes += frame.data_ref().map_or(0, |d| d.len() as u64);
        }
        Ok((status, bytes))
    }

    /// Sends a request (with the CSRF header) and reads the whole answer.
    pub async fn send(
        &self,
        method: axum::http::Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Result<(StatusCode, axum::body::Bytes), BenchError> {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header(header::COOKIE, &self.cookie)
            .header("x-csrf-token", &self.csrf);
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let request = request
            .body(Body::from(body))
            .map_err(|e| BenchError::Http(e.to_string()))?;
        let response = self
            .http
            .request(request)
            .await
            .map_err(|e| BenchError::Http(e.to_string()))?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| BenchError::Http(e.to_string()))?
            .to_bytes();
        Ok((status, bytes))
    }

    /// GETs `path` and reads the whole answer; its status.
    pub async fn get(&self, path: &str) -> Result<StatusCode, BenchError> {
        let request = Request::get(format!("{}{path}", self.base))
            .header(header::COOKIE, &self.cookie)
            .body(Body::empty())
            .map_err(|e| BenchError::Http(e.to_string()))?;
        let response = self
            .http
            .request(request)
            .await
            .map_err(|e| BenchError::Http(e.to_string()))?;
        let status = response.status();
        response
            .into_body()
            .collect()
            .await
            .map_err(|e| BenchError::Http(e.to_string()))?;
        Ok(status)
    }
}

/// Requests per second and latencies of authenticated point reads: the
/// server on one core, `connections` clients on another, for `seconds`.
pub fn point_reads(
    url: &str,
    username: &str,
    password: &str,
    paths: Vec<String>,
    seconds: u64,
) -> Result<(f64, Vec<f64>), BenchError> {
    let cores = core_affinity::get_core_ids().unwrap_or_default();
    let server = Server::start(url, cores.first().copied())?;
    let client_core = cores.get(1).copied();
    let (username, password) = (username.to_owned(), password.to_owned());
    let addr = server.addr;
    let measured = std::thread::spawn(move || -> Result<(f64, Vec<f64>), BenchError> {
        if let Some(core) = client_core {
            core_affinity::set_for_current(core);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| BenchError::Http(e.to_string()))?;
        runtime.block_on(hammer(addr, username, password, paths, seconds))
    })
    .join()
    .map_err(|_| BenchError::Http("load generator panicked".into()))?;
    drop(server);
    measured
}

const CONNECTIONS: usize = 32;

async fn hammer(
    addr: SocketAddr,
    username: String,
    password: String,
    paths: Vec<String>,
    seconds: u64,
) -> Result<(f64, Vec<f64>), BenchError> {
    let session = Session::login(addr, &username, &password).await?;
    let warm_until = Instant::now() + Duration::from_secs(1);
    let end = warm_until + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for worker in 0..CONNECTIONS {
        let session = session.clone();
        let paths = paths.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut i = worker;
            while Instant::now() < end {
                let started = Instant::now();
                let status = session.get(&paths[i % paths.len()]).await?;
                if status != StatusCode::OK {
                    return Err(BenchError::Http(format!("point read: {status}")));
                }
                if started >= warm_until {
                    latencies.push(started.elapsed().as_secs_f64() * 1000.0);
                }
                i += CONNECTIONS;
            }
            Ok(latencies)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.map_err(|e| BenchError::Http(e.to_string()))??);
    }
    Ok((all.len() as f64 / seconds as f64, all))
}

/// Latencies of `searches` run one after another while log-ins of
/// `accounts` arrive at 50 a second; and how many log-ins succeeded.
pub async fn searches_during_logins(
    url: &str,
    reader: (&str, &str),
    accounts: Vec<(String, String)>,
    searches: &[String],
) -> Result<(Vec<f64>, usize), BenchError> {
    let server = Server::start(url, None)?;
    let session = Session::login(server.addr, reader.0, reader.1).await?;
    let base = format!("http://{}", server.addr);
    let (stop, mut stopped) = oneshot::channel::<()>();
    let burst = tokio::spawn(async move {
        let http = http_client();
        let mut every = tokio::time::interval(Duration::from_millis(20));
        let mut logins = Vec::new();
        let mut n = 0usize;
        loop {
            tokio::select! {
                _ = &mut stopped => break,
                _ = every.tick() => {
                    let (user, password) = accounts[n % accounts.len()].clone();
                    let (http, base) = (http.clone(), base.clone());
                    logins.push(tokio::spawn(async move { post_login(&http, &base, &user, &password).await }));
                    n += 1;
                }
            }
        }
        let mut ok = 0;
        for login in logins {
            if let Ok(Ok((StatusCode::OK, _, _))) = login.await {
                ok += 1;
            }
        }
        ok
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut latencies = Vec::with_capacity(searches.len());
    for path in searches {
        let started = Instant::now();
        let status = session.get(path).await?;
        if status != StatusCode::OK {
            return Err(BenchError::Http(format!("search during log-ins: {status}")));
        }
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let _ = stop.send(());
    let logins = burst.await.map_err(|e| BenchError::Http(e.to_string()))?;
    drop(server);
    Ok((latencies, logins))
}
