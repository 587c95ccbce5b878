//! Redis for the scale-out tests: the machine's (`TEST_REDIS_URL`), or a
//! `redis-server` of the test's own that it can stop and start again.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `TEST_REDIS_URL`, or `None` to skip. With `CHAT98_REQUIRE_SERVICES=1` (as
/// CI sets) a missing URL fails the test instead.
pub fn redis_url() -> Option<String> {
    match std::env::var("TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CHAT98_REQUIRE_SERVICES").as_deref() == Ok("1") => {
            panic!("TEST_REDIS_URL is not set but CHAT98_REQUIRE_SERVICES=1")
        }
        _ => {
            eprintln!("TEST_REDIS_URL not set: skipping");
            None
        }
    }
}

/// A prefix for chat98's channel and keys that no other test shares.
pub fn unique_prefix(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_nanos();
    format!("chat98test:{test}:{}:{nanos}", std::process::id())
}

/// A throwaway `redis-server` on a free loopback port, keeping nothing on disk.
pub struct OwnRedis {
    pub port: u16,
    child: Option<Child>,
    /// Flags besides the port (a password, TLS).
    extra: Vec<String>,
    /// Whether `port` speaks TLS (then `--port 0` turns plain TCP off).
    tls: bool,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl OwnRedis {
    pub fn start() -> OwnRedis {
        OwnRedis::start_with(&[], false)
    }

    /// A server with `extra` flags; with `tls`, `port` is its TLS port.
    pub fn start_with(extra: &[&str], tls: bool) -> OwnRedis {
        let mut redis = OwnRedis {
            port: free_port(),
            child: None,
            extra: extra.iter().map(|s| s.to_string()).collect(),
            tls,
        };
        redis.resume();
        redis
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Starts the server (again) on the same port and waits until it answers.
    pub fn resume(&mut self) {
        let port = self.port.to_string();
        let ports = if self.tls {
            vec!["--port", "0", "--tls-port", port.as_str()]
        } else {
            vec!["--port", port.as_str()]
        };
        let child = Command::new("redis-server")
            .args(ports)
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(&self.extra)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start redis-server");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the server: every connection to it drops.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}
