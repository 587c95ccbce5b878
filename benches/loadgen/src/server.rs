//! The server under test: a `chat98 serve` process on a fresh database, with
//! its address and resident memory.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub struct Server {
    pub addr: SocketAddr,
    child: Child,
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    /// Starts `bin serve` on 127.0.0.1:0 with a SQLite file in a temp dir
    /// (unless `extra` names a database) and generous rate limits.
    pub fn start(bin: &str, extra: &[String]) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut command = Command::new(bin);
        command
            .arg("serve")
            .args(["--site-addr", "127.0.0.1:0"])
            .args(["--message-burst", "1000000000", "--register-max", "1000000"])
            .args(["--login-max-failures", "1000000"])
            // The harness spreads hundreds of sockets over a few users.
            .args(["--max-sockets-per-user", "1000000"])
            .args(extra)
            .env(
                "RUST_LOG",
                "warn,chat98::server::serve=info,chat98::server::retention=info",
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if !extra.iter().any(|a| a == "--database-url") {
            command.args(["--data-dir", dir.path().to_str().expect("utf-8 path")]);
            command.env_remove("DATABASE_URL");
        }
        let mut child = command.spawn().expect("start the server");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.contains("swept expired messages") {
                    eprintln!("server: {line}");
                }
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let addr = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    let _ = tx.send(addr);
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the server reports its address")
            .parse()
            .expect("a socket address");
        Server {
            addr,
            child,
            _dir: Some(dir),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Resident set size of `pid` in bytes (VmRSS).
pub fn rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .unwrap_or_default()
}
