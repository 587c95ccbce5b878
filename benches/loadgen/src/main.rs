//! chat98's load harness. Each scenario prints one summary line; the exit
//! status says whether it completed without loss or failure. Timing goals and
//! results live in BENCHMARKS.md, not here.

mod baseline;
mod fanout;
mod http;
mod http_load;
mod idle;
mod paced;
mod sends;
mod server;
mod stats;
mod ws;

use std::net::SocketAddr;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Load harness for chat98")]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
}

/// Which server(s) to load.
#[derive(Args, Clone)]
struct Targets {
    /// Start this chat98 binary on a fresh SQLite database and load it
    #[arg(long, value_name = "BIN")]
    spawn: Option<String>,
    /// Extra argument for the spawned server (repeat for several)
    #[arg(long = "server-arg", value_name = "ARG", allow_hyphen_values = true)]
    server_args: Vec<String>,
    /// Load a running server instead (repeat to spread clients over several)
    #[arg(long = "target", value_name = "IP:PORT")]
    targets: Vec<SocketAddr>,
    /// The targets need no sign-in (the baseline server)
    #[arg(long)]
    no_auth: bool,
    /// Users to register and spread the connections over
    #[arg(long, default_value_t = 10)]
    users: usize,
}

#[derive(Subcommand)]
enum Scenario {
    /// A bare axum broadcast server to compare fan-out against
    BaselineServer {
        #[arg(long, default_value = "127.0.0.1:0")]
        addr: String,
    },
    /// N websocket clients; one sender posts at a fixed rate
    Fanout {
        #[command(flatten)]
        targets: Targets,
        #[arg(long, default_value_t = 1000)]
        clients: usize,
        #[arg(long, default_value_t = 100)]
        rate: u32,
        #[arg(long, default_value_t = 20)]
        seconds: u32,
        /// Loopback source addresses to spread clients over (127.0.0.2, ...)
        #[arg(long, default_value_t = 8)]
        spread: usize,
    },
    /// Open N idle websockets and report the server's memory
    Idle {
        #[command(flatten)]
        targets: Targets,
        #[arg(long, default_value_t = 10_000)]
        clients: usize,
        #[arg(long, default_value_t = 8)]
        spread: usize,
    },
    /// Concurrent senders, each waiting until its message is stored
    Sends {
        #[command(flatten)]
        targets: Targets,
        #[arg(long, default_value_t = 32)]
        senders: usize,
        #[arg(long, default_value_t = 500)]
        per_sender: usize,
        #[arg(long, value_enum, default_value = "ws")]
        via: sends::Via,
    },
    /// REST posts at a fixed rate (e.g. while the server sweeps)
    Paced {
        #[command(flatten)]
        targets: Targets,
        #[arg(long, default_value_t = 100)]
        rate: u32,
        #[arg(long, default_value_t = 10)]
        seconds: u32,
    },
    /// Keep-alive GETs of one path, signed in, after seeding messages
    Http {
        #[command(flatten)]
        targets: Targets,
        #[arg(long, default_value = "/chat")]
        path: String,
        #[arg(long, default_value_t = 64)]
        connections: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Messages stored before measuring
        #[arg(long, default_value_t = 100)]
        seed: usize,
    },
}

/// The servers to load, with the spawned one kept alive.
struct Prepared {
    addrs: Vec<SocketAddr>,
    cookies: Vec<String>,
    spawned: Option<server::Server>,
}

async fn prepare(targets: &Targets) -> Prepared {
    let spawned = targets
        .spawn
        .as_ref()
        .map(|bin| server::Server::start(bin, &targets.server_args));
    let mut addrs = targets.targets.clone();
    if let Some(server) = &spawned {
        addrs.insert(0, server.addr);
    }
    assert!(!addrs.is_empty(), "give --spawn BIN or --target IP:PORT");
    let mut cookies = Vec::new();
    if !targets.no_auth {
        let run = stats::now_micros();
        for i in 0..targets.users.max(1) {
            cookies.push(http::register(addrs[0], &format!("lg{run}u{i}")).await);
        }
    }
    Prepared {
        addrs,
        cookies,
        spawned,
    }
}

/// Idle sockets: the memory the spawned server holds for each.
async fn idle_scenario(targets: &Targets, clients: usize, spread: usize) -> bool {
    let prepared = prepare(targets).await;
    let pid = prepared
        .spawned
        .as_ref()
        .map(server::Server::pid)
        .expect("idle needs --spawn to read the server's memory");
    idle::run(
        prepared.addrs[0],
        pid,
        prepared.cookies.clone(),
        clients,
        spread,
    )
    .await
}

/// Requests for one path, after seeding `seed` messages (none with --no-auth:
/// no cookie, and nothing to seed as nobody).
async fn http_scenario(
    targets: &Targets,
    path: String,
    connections: usize,
    seconds: u64,
    seed: usize,
) -> bool {
    let prepared = prepare(targets).await;
    let cookie = prepared.cookies.first().cloned().unwrap_or_default();
    let seed = if cookie.is_empty() { 0 } else { seed };
    let mut connection = http::Connection::open(prepared.addrs[0])
        .await
        .expect("connect");
    for i in 0..seed {
        let content = format!("seeded message number {i}, about as long as a chat line");
        let answer = connection
            .post_message(&cookie, &content)
            .await
            .expect("seed a message");
        assert_eq!(answer.status, 201, "seeding");
    }
    http_load::run(prepared.addrs[0], path, cookie, connections, seconds).await
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let ok = match cli.scenario {
        Scenario::BaselineServer { addr } => {
            baseline::serve(&addr).await;
            true
        }
        Scenario::Fanout {
            targets,
            clients,
            rate,
            seconds,
            spread,
        } => {
            let prepared = prepare(&targets).await;
            fanout::run(fanout::Plan {
                targets: prepared.addrs.clone(),
                cookies: prepared.cookies.clone(),
                clients,
                rate,
                seconds,
                spread,
            })
            .await
        }
        Scenario::Idle {
            targets,
            clients,
            spread,
        } => idle_scenario(&targets, clients, spread).await,
        Scenario::Sends {
            targets,
            senders,
            per_sender,
            via,
        } => {
            let prepared = prepare(&targets).await;
            sends::run(
                prepared.addrs[0],
                prepared.cookies.clone(),
                senders,
                per_sender,
                via,
            )
            .await
        }
        Scenario::Paced {
            targets,
            rate,
            seconds,
        } => {
            let prepared = prepare(&targets).await;
            paced::run(
                prepared.addrs[0],
                prepared.cookies[0].clone(),
                rate,
                seconds,
            )
            .await
        }
        Scenario::Http {
            targets,
            path,
            connections,
            seconds,
            seed,
        } => http_scenario(&targets, path, connections, seconds, seed).await,
    };
    std::process::exit(if ok { 0 } else { 1 });
}
