//! The `nhanai` command: serve, migrate, demo, user add, bench.

use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::access::Principal;
use crate::accounts::service::{self, NewAccount};
use crate::db::DEFAULT_URL;
use crate::web::Settings;

#[derive(Parser)]
#[command(name = "nhanai", version, about = "Nhân Ái — Hội Chữ thập đỏ Việt Nam")]
struct Cli {
    /// Database URL: sqlite://file.db or postgres://… (default: ./nhanai.db).
    #[arg(long, env = "DATABASE_URL", global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default command).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Load demo data of this scale before serving.
        #[arg(long)]
        demo: Option<Scale>,
        /// Send cookies over plain HTTP too. Cookies are marked Secure
        /// unless the server listens on a loopback address (development).
        #[arg(long, env = "NHANAI_INSECURE_COOKIES")]
        insecure_cookies: bool,
        /// The address users reach the server at. An https:// one marks
        /// cookies Secure and sends HSTS even when listening on loopback
        /// behind a TLS proxy.
        #[arg(long, env = "NHANAI_PUBLIC_URL")]
        public_url: Option<String>,
        /// A reverse proxy (address or CIDR, repeatable) whose
        /// X-Forwarded-For is believed, read from the right.
        #[arg(long = "trusted-proxy", env = "NHANAI_TRUSTED_PROXIES", value_delimiter = ',')]
        trusted_proxies: Vec<String>,
        /// Seconds a server's claim on a job lasts unless renewed: a job
        /// whose server died is taken over by another after this.
        #[arg(long, env = "NHANAI_JOB_LEASE_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(2..=3600))]
        job_lease_seconds: u64,
    },
    /// Apply migrations and load reference data, then exit.
    Migrate,
    /// Load demo data (idempotent).
    Demo {
        #[arg(long, value_enum, default_value = "small")]
        scale: Scale,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The ledger's hash chains.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// Check stored data against the records.
    Check {
        #[command(subcommand)]
        command: CheckCommand,
    },
    /// Measure performance; prints JSON on the last line.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Check every hash, link, balance and total: of a downloaded public
    /// ledger (JSON or CSV) offline, or without FILE of the database
    /// (opened read-only: never migrated, never created).
    Verify {
        file: Option<std::path::PathBuf>,
        /// A chain head saved earlier from the public page, `UNIT:SEQ:HASH`
        /// (repeatable): the entry there must still carry that hash.
        #[arg(long = "head")]
        heads: Vec<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Scale {
    Small,
    National,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input or a prompt.
    Add {
        username: String,
        /// admin, staff or viewer.
        #[arg(long, default_value = "staff")]
        role: String,
        /// Code of the org unit the role is granted on (TW, 01, 00004 …).
        #[arg(long)]
        unit: String,
        #[arg(long)]
        display_name: Option<String>,
    },
}

#[derive(Subcommand)]
enum CheckCommand {
    /// Recount every per-unit counter (totals, and by sex and birth year)
    /// from the records; print each difference; exit 1 if there is any.
    Counts,
    /// Read every placed record's copy of its place in the tree (province,
    /// commune, branch) against its unit; print each that differs; exit 1
    /// if there is any.
    Placement,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// In a fresh database of `count` persons: upload a generated
    /// `rows`-row .xlsx until committed, export everyone as .xlsx, and
    /// time the central unit page.
    Import {
        #[arg(long, default_value_t = 20_000)]
        rows: usize,
        #[arg(long, default_value_t = 1_000_000)]
        count: usize,
        /// Timed unit pages.
        #[arg(long, default_value_t = 200)]
        samples: usize,
    },
    /// A fresh database of members and volunteers across every commune:
    /// time a member list's import, a branch's members, a province's counts
    /// and a call-out.
    Members {
        #[arg(long, default_value_t = 3_000_000)]
        members: usize,
        #[arg(long, default_value_t = 1_000_000)]
        volunteers: usize,
        #[arg(long, default_value_t = 20_000)]
        rows: usize,
        /// Timed requests of each kind.
        #[arg(long, default_value_t = 200)]
        samples: usize,
        /// Keep the filled database (its URL is printed) to look into plans.
        #[arg(long)]
        keep: bool,
    },
    /// Import a real bank statement (the CSV parts in a folder, such as
    /// the 2024 Yagi appeal's) through HTTP into a fresh database.
    Ledger {
        #[arg(long)]
        statement: std::path::PathBuf,
    },
    /// Insert persons into a fresh database, then time searches and lists.
    Persons {
        #[arg(long, default_value_t = 1_000_000)]
        count: usize,
        /// Timed requests of each kind.
        #[arg(long, default_value_t = 1000)]
        samples: usize,
        /// Seconds of authenticated point reads through HTTP.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
    },
}

pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=error")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let url = cli.database_url.unwrap_or_else(|| DEFAULT_URL.to_owned());
    let command = cli.command.unwrap_or(Command::Serve {
        addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
        demo: None,
        insecure_cookies: false,
        public_url: None,
        trusted_proxies: Vec::new(),
        job_lease_seconds: 30,
    });
    if let Command::Ledger {
        command: LedgerCommand::Verify { file, heads },
    } = command
    {
        return verify_ledger(&url, file.as_deref(), &heads).await;
    }
    if let Command::Bench {
        command: BenchCommand::Import { rows, count, samples },
    } = command
    {
        let plan = crate::bench::ImportPlan { rows, count, samples };
        return crate::bench::import(&url, plan).await.map_err(|e| e.to_string());
    }
    if let Command::Bench {
        command:
            BenchCommand::Members {
                members,
                volunteers,
                rows,
                samples,
                keep,
            },
    } = command
    {
        let plan = crate::bench::MembersPlan {
            members,
            volunteers,
            rows,
            samples,
            keep,
        };
        return crate::bench::members(&url, plan).await.map_err(|e| e.to_string());
    }
    if let Command::Bench {
        command: BenchCommand::Ledger { statement },
    } = command
    {
        let plan = crate::bench::LedgerPlan { statement };
        return crate::bench::ledger(&url, plan).await.map_err(|e| e.to_string());
    }
    if let Command::Bench {
        command: BenchCommand::Persons {
            count,
            samples,
            seconds,
        },
    } = command
    {
        let plan = crate::bench::Plan {
            count,
            samples,
            seconds,
        };
        return crate::bench::persons(&url, plan).await.map_err(|e| e.to_string());
    }
    let db = crate::open_database(&url).await.map_err(|e| e.to_string())?;
    let result = run_with(db.clone(), command).await;
    // Closing copies SQLite's log back and removes it (after a demo load,
    // gigabytes the next start would otherwise replay).
    db.close().await;
    result
}

/// `nhanai ledger verify [FILE]`: a JSON line of what was checked, or
/// the first entry that does not verify (and a failing exit).
async fn verify_ledger(url: &str, file: Option<&std::path::Path>, heads: &[String]) -> Result<(), String> {
    let mut saved = crate::ledger::chain::Heads::new();
    for text in heads {
        let (unit, head) =
            crate::ledger::chain::parse_head(text).ok_or_else(|| format!("--head {text}: expected UNIT:SEQ:HASH"))?;
        saved.insert(unit, head);
    }
    let verified = match file {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            crate::ledger::file::verify(&bytes, saved).map_err(|e| e.to_string())?
        }
        None => {
            let db = crate::db::Db::connect_read_only(url).await.map_err(|e| e.to_string())?;
            let verified = crate::ledger::service::verify(&db, saved).await;
            db.close().await;
            verified.map_err(|e| e.to_string())?
        }
    };
    let mut line = serde_json::to_value(&verified).map_err(|e| e.to_string())?;
    line["verified"] = true.into();
    println!("{line}");
    Ok(())
}

async fn run_with(db: crate::db::Db, command: Command) -> Result<(), String> {
    match command {
        Command::Serve {
            addr,
            demo,
            insecure_cookies,
            public_url,
            trusted_proxies,
            job_lease_seconds,
        } => {
            let mut settings = settings(addr, insecure_cookies, public_url.as_deref(), &trusted_proxies)?;
            settings.job_lease = std::time::Duration::from_secs(job_lease_seconds);
            if let Some(scale) = demo {
                crate::demo::load(&db, scale).await.map_err(|e| e.to_string())?;
            }
            serve(db, addr, settings).await
        }
        Command::Migrate => Ok(()),
        Command::Demo { scale } => crate::demo::load(&db, scale).await.map_err(|e| e.to_string()),
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    unit,
                    display_name,
                },
        } => {
            let password = read_password().map_err(|e| format!("cannot read password: {e}"))?;
            let new = NewAccount {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username,
                password,
                role,
                unit_code: unit,
            };
            let central = crate::org::service::central(&db).await.map_err(|e| e.to_string())?;
            let operator = Principal::system("cli", central);
            let id = service::create(&db, &operator, new).await.map_err(|e| match e {
                crate::accounts::AccountError::Validation(fields) => {
                    format!("invalid: {}", fields.keys().cloned().collect::<Vec<_>>().join(", "))
                }
                other => other.to_string(),
            })?;
            println!("created account {id}");
            Ok(())
        }
        Command::Check {
            command: CheckCommand::Counts,
        } => crate::check::counts(&db).await,
        Command::Check {
            command: CheckCommand::Placement,
        } => crate::check::placement(&db).await,
        Command::Bench { .. } | Command::Ledger { .. } => Ok(()),
    }
}

fn read_password() -> std::io::Result<String> {
    if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Password: ")
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

/// Cookie security and trusted proxies from the command line.
fn settings(
    addr: SocketAddr,
    insecure: bool,
    public_url: Option<&str>,
    proxies: &[String],
) -> Result<Settings, String> {
    let https = public_url.is_some_and(|u| u.starts_with("https://"));
    let trusted_proxies = proxies
        .iter()
        .map(|p| {
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("--trusted-proxy {p}: not an address or CIDR"))
        })
        .collect::<Result<_, _>>()?;
    Ok(Settings {
        secure_cookies: https || (!insecure && !addr.ip().is_loopback()),
        trusted_proxies,
        public_url: public_url.map(|u| u.trim_end_matches('/').to_owned()),
        ..Settings::default()
    })
}

/// Housekeeping every server does now and then: expired sessions and old
/// throttle counts are deleted, uploads left uncommitted are discarded
/// (any server may do it; it is idempotent).
fn spawn_housekeeping(db: crate::db::Db) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(tokio::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            if let Err(e) = crate::web::session::delete_expired(&db).await {
                tracing::warn!("expired sessions not deleted: {e}");
            }
            if let Err(e) = crate::accounts::throttle::purge(&db).await {
                tracing::warn!("old throttle counts not deleted: {e}");
            }
            if let Err(e) = crate::toolkit::rate::purge(&db).await {
                tracing::warn!("old rate counts not deleted: {e}");
            }
            match crate::toolkit::import::expire(&db).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(imports = n, "uncommitted imports discarded"),
                Err(e) => tracing::warn!("uncommitted imports not discarded: {e}"),
            }
        }
    });
}

async fn serve(db: crate::db::Db, addr: SocketAddr, settings: Settings) -> Result<(), String> {
    spawn_housekeeping(db.clone());
    let app = crate::app::router(db, settings);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("Nhân Ái listening on http://{addr}");
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}
