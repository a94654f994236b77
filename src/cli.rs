//! The `nhanai` command: serve, migrate, demo, user add, bench.

use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use tower_sessions::ExpiredDeletion;

use crate::accounts::service::{self, NewAccount};
use crate::db::DEFAULT_URL;
use crate::web::{self, AppState, Settings};

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
        /// Believe X-Forwarded-For from a trusted reverse proxy.
        #[arg(long, env = "NHANAI_TRUST_PROXY")]
        trust_proxy: bool,
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
    /// Measure performance; prints JSON on the last line.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
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
enum BenchCommand {
    /// Insert persons into a fresh database, then time searches and lists.
    Persons {
        #[arg(long, default_value_t = 1_000_000)]
        count: usize,
    },
}

pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=error")),
        )
        .with_writer(std::io::stderr)
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
        trust_proxy: false,
    });
    if let Command::Bench {
        command: BenchCommand::Persons { count },
    } = command
    {
        return crate::bench::persons(&url, count).await.map_err(|e| e.to_string());
    }
    let db = crate::open_database(&url).await.map_err(|e| e.to_string())?;
    match command {
        Command::Serve {
            addr,
            demo,
            insecure_cookies,
            trust_proxy,
        } => {
            let secure_cookies = !insecure_cookies && !addr.ip().is_loopback();
            if let Some(scale) = demo {
                crate::demo::load(&db, scale).await.map_err(|e| e.to_string())?;
            }
            serve(
                db,
                addr,
                Settings {
                    secure_cookies,
                    trust_forwarded_for: trust_proxy,
                },
            )
            .await
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
            let id = service::create(&db, None, new).await.map_err(|e| match e {
                crate::accounts::AccountError::Validation(fields) => {
                    format!("invalid: {}", fields.keys().cloned().collect::<Vec<_>>().join(", "))
                }
                other => other.to_string(),
            })?;
            println!("created account {id}");
            Ok(())
        }
        Command::Bench { .. } => Ok(()),
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

async fn serve(db: crate::db::Db, addr: SocketAddr, settings: Settings) -> Result<(), String> {
    let store = web::session_store::DbSessionStore::new(db.clone());
    tokio::spawn(async move {
        let mut every = tokio::time::interval(tokio::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            if let Err(e) = store.delete_expired().await {
                tracing::warn!("expired sessions not deleted: {e}");
            }
        }
    });
    let app = web::router(AppState {
        db,
        settings: Arc::new(settings),
    });
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
