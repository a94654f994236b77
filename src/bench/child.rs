//! Another `nhanai serve` process, for figures that are its own (the
//! memory an export takes).

use std::time::Duration;

use super::BenchError;

/// The resident memory of process `pid` that is its own (heap, stacks:
/// `RssAnon`), in MB; the database file's pages mapped in are the page
/// cache's, not the process's.
pub fn resident_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("RssAnon:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// `nhanai serve` in a process of its own, stopped when dropped.
pub struct ChildServer {
    child: std::process::Child,
    pub addr: std::net::SocketAddr,
}

impl ChildServer {
    pub fn start(url: &str) -> Result<ChildServer, BenchError> {
        let fail = |e: std::io::Error| BenchError::Http(e.to_string());
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(fail)?;
        let child = std::process::Command::new(std::env::current_exe().map_err(fail)?)
            .args(["--database-url", url, "serve", "--addr", &addr.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(fail)?;
        let server = ChildServer { child, addr };
        for _ in 0..200 {
            if std::net::TcpStream::connect(addr).is_ok() {
                return Ok(server);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(BenchError::Http("the export server did not start".into()))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
