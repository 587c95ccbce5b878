//! A real chat98 server process on a free loopback port with its own database.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::DatabaseConnection;
use tempfile::TempDir;

/// How long a server may take to start or stop before the test fails.
const PATIENCE: Duration = Duration::from_secs(30);

/// Log lines a server printed, kept (the newest so many) for tests to read.
const LOG_LINES_KEPT: usize = 5_000;

/// How a server is started: the database URL, site root, extra flags and
/// environment variables.
#[derive(Clone)]
struct StartedWith {
    database_url: String,
    root: std::path::PathBuf,
    extra: Vec<String>,
    env: Vec<(String, String)>,
}

pub struct TestServer {
    pub addr: SocketAddr,
    child: Child,
    started_with: StartedWith,
    log: Arc<Mutex<Vec<String>>>,
}

impl TestServer {
    /// Starts `chat98 serve` on 127.0.0.1:0 with a SQLite file in a temp dir,
    /// plus any extra flags, and waits until it is listening.
    pub fn start(dir: &TempDir, extra: &[&str]) -> TestServer {
        TestServer::start_on(&database_url(dir), dir, extra)
    }

    /// Like [`TestServer::start`] on the database at `database_url` (several
    /// processes may share one).
    pub fn start_on(database_url: &str, dir: &TempDir, extra: &[&str]) -> TestServer {
        TestServer::start_with_env(database_url, dir, extra, &[])
    }

    /// Like [`TestServer::start_on`], with extra environment variables.
    pub fn start_with_env(
        database_url: &str,
        dir: &TempDir,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> TestServer {
        TestServer::spawn(StartedWith {
            database_url: database_url.to_owned(),
            root: dir.path().to_owned(),
            extra: extra.iter().map(|s| s.to_string()).collect(),
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        })
    }

    /// The log lines the server has printed so far (the newest 5,000).
    pub fn log_lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Stops the server and starts it again the same way (a new port). Tests
    /// that write history straight into the database do it in between: a
    /// running server only knows the messages it stored or was told about.
    pub fn restart(&mut self) {
        self.terminate();
        *self = TestServer::spawn(self.started_with.clone());
    }

    fn spawn(started_with: StartedWith) -> TestServer {
        let StartedWith {
            database_url,
            root,
            extra,
            env,
        } = &started_with;
        // CHAT98_TEST_BINARY runs the suite against another build (to see a
        // regression test fail on the binary from before its fix).
        let binary = std::env::var("CHAT98_TEST_BINARY")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_chat98").to_owned());
        let mut child = Command::new(binary)
            .arg("serve")
            .args(["--site-addr", "127.0.0.1:0"])
            .args(["--database-url", database_url])
            .args(["--site-root", root.to_str().expect("utf-8 temp path")])
            .args(extra)
            .env("RUST_LOG", "info")
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start chat98");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // Long lines are shown cut (a test may send huge input).
                let shown: String = line.chars().take(500).collect();
                eprintln!("[server] {shown}");
                {
                    let mut kept = kept.lock().unwrap();
                    if kept.len() >= LOG_LINES_KEPT {
                        kept.remove(0);
                    }
                    kept.push(line.clone());
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
        let addr = match rx.recv_timeout(PATIENCE) {
            Ok(addr) => addr.parse().expect("a socket address in the log"),
            Err(_) => {
                let _ = child.kill();
                panic!("server did not report listening within {PATIENCE:?}");
            }
        };
        TestServer {
            addr,
            child,
            started_with,
            log,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Sends SIGTERM and waits (bounded) for the process to exit.
    pub fn terminate(&mut self) -> ExitStatus {
        self.signal("TERM")
    }

    /// Kills the process without letting it say goodbye (a crash).
    pub fn crash(&mut self) -> ExitStatus {
        self.signal("KILL")
    }

    fn signal(&mut self, name: &str) -> ExitStatus {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} failed");
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for server") {
                return status;
            }
            assert!(Instant::now() < deadline, "server ignored SIG{name}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The database of the server in `dir`: a SQLite file there, or with
/// `CHAT98_TEST_BACKEND=postgres` a PostgreSQL schema named after `dir`.
pub fn database_url(dir: &TempDir) -> String {
    if !super::databases::servers_use_postgres() {
        return chat98::server::settings::sqlite_url_in(dir.path());
    }
    let base = super::databases::postgres_url()
        .expect("CHAT98_TEST_BACKEND=postgres needs TEST_DATABASE_URL");
    super::databases::postgres_schema_url(&base, &schema_for(dir))
}

/// A schema name unique to `dir` (hex of its name: schema names fold case).
fn schema_for(dir: &TempDir) -> String {
    let name = dir
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let hex: String = name.bytes().map(|b| format!("{b:02x}")).collect();
    format!("chat98_it_{}_{hex}", std::process::id())
}

/// Opens (and migrates) the database a server in `dir` would use.
pub async fn open_db(dir: &TempDir) -> DatabaseConnection {
    chat98::server::db::connect(&database_url(dir))
        .await
        .expect("open test database")
}

/// A browser-like origin header value for this server.
impl TestServer {
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }
}

pub use super::http::client;

/// The `chat98_session=...` pair from a response's Set-Cookie, if any.
pub fn session_cookie(res: &super::http::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("chat98_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// Registers `username` through the API and returns the session cookie.
pub async fn register(server: &TestServer, username: &str, password: &str) -> String {
    let res = client()
        .post(server.url("/api/auth/register"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .expect("register request");
    assert_eq!(res.status(), 200, "registering {username}");
    session_cookie(&res).expect("a session cookie")
}

/// Posts `content` through the REST API as the session's user.
pub async fn post_message(
    server: &TestServer,
    cookie: &str,
    content: &str,
) -> super::http::Response {
    client()
        .post(server.url("/api/chat/messages/"))
        .header("cookie", cookie)
        .json(&serde_json::json!({ "content": content }))
        .send()
        .await
        .expect("post a message")
}

/// The ids of the stored (retained) messages, oldest first (up to 500).
pub async fn stored_ids(server: &TestServer, cookie: &str) -> Vec<i64> {
    let res = client()
        .get(server.url("/api/chat/messages/?limit=500"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("list messages");
    let all: Vec<serde_json::Value> = res.json().await.expect("a JSON list");
    all.iter()
        .map(|m| m["id"].as_i64().expect("an id"))
        .collect()
}

/// The status of `GET /api/auth/me` with `cookie`.
pub async fn me(server: &TestServer, cookie: &str) -> u16 {
    client()
        .get(server.url("/api/auth/me"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("ask who is signed in")
        .status()
        .as_u16()
}

/// The chat page's HTML as a signed-in browser gets it (200).
pub async fn chat_page(server: &TestServer, cookie: &str) -> String {
    let res = get_page(server, "/chat", cookie).await;
    assert_eq!(res.status(), 200);
    res.text().await.expect("the chat page's text")
}

/// The text of `GET /metrics` (200).
pub async fn metrics(server: &TestServer) -> String {
    let res = client()
        .get(server.url("/metrics"))
        .send()
        .await
        .expect("ask for metrics");
    assert_eq!(res.status(), 200);
    res.text().await.expect("the metrics' text")
}

/// GET a page as a signed-in browser would.
pub async fn get_page(server: &TestServer, path: &str, cookie: &str) -> super::http::Response {
    client()
        .get(server.url(path))
        .header("accept", "text/html")
        .header("cookie", cookie)
        .send()
        .await
        .expect("get a page")
}

/// Signs the session of `cookie` out (204).
pub async fn logout(server: &TestServer, cookie: &str) {
    let res = client()
        .post(server.url("/api/auth/logout"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("sign out");
    assert_eq!(res.status(), 204);
}

/// The `chat98` binary the tests run (`CHAT98_TEST_BINARY` or this build's).
pub fn binary() -> String {
    std::env::var("CHAT98_TEST_BINARY").unwrap_or_else(|_| env!("CARGO_BIN_EXE_chat98").to_owned())
}

/// What a finished `chat98` command printed, and how it ended.
#[derive(Debug)]
pub struct Ran {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    pub fn success(&self) -> bool {
        self.status.success()
    }

    /// The one line a command printed on stdout (fails if it printed
    /// nothing, or more than one line).
    pub fn line(&self) -> &str {
        let lines: Vec<&str> = self.stdout.lines().collect();
        assert_eq!(lines.len(), 1, "one line on stdout: {self:?}");
        lines[0]
    }
}

/// Runs `chat98 <args>` (a command such as `users list`) on the database at
/// `database_url`, with the environment a [`TestServer`] gets, and waits for it
/// (bounded).
pub fn run_command(database_url: &str, args: &[&str]) -> Ran {
    run_command_with(database_url, &[], &[], args)
}

/// Like [`run_command`], with global flags (`--redis-url ...`) and extra
/// environment variables.
pub fn run_command_with(
    database_url: &str,
    flags: &[String],
    env: &[(String, String)],
    args: &[&str],
) -> Ran {
    use std::io::Read;
    let mut child = Command::new(binary())
        .args(["--database-url", database_url])
        .args(flags)
        .args(args)
        .env("RUST_LOG", "info")
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run chat98");
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let stdout = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = out.read_to_string(&mut text);
        text
    });
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = err.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for chat98") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chat98 {args:?} did not finish within {PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let ran = Ran {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    };
    eprintln!("[chat98 {}] {:?}", args.join(" "), ran);
    ran
}

impl TestServer {
    /// The database this server was started on.
    pub fn database_url(&self) -> &str {
        &self.started_with.database_url
    }

    /// Runs `chat98 <args>` on this server's database, with the flags and
    /// environment it was started with (its Redis too, if it has one).
    pub fn run_command(&self, args: &[&str]) -> Ran {
        run_command_with(
            &self.started_with.database_url,
            &self.started_with.extra,
            &self.started_with.env,
            args,
        )
    }
}

/// Signs in through the API (`POST /api/auth/login`); the whole answer.
pub async fn sign_in(server: &TestServer, username: &str, password: &str) -> super::http::Response {
    client()
        .post(server.url("/api/auth/login"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .expect("sign in")
}

/// `GET /api/auth/me` with `cookie`: the status and the JSON body.
pub async fn whoami(server: &TestServer, cookie: &str) -> (u16, serde_json::Value) {
    let res = client()
        .get(server.url("/api/auth/me"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("ask who is signed in");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

/// The status and JSON body of an answer (`Null` for an empty body; a body
/// that is not JSON fails the test).
pub async fn answer(res: super::http::Response) -> (u16, serde_json::Value) {
    let status = res.status().as_u16();
    let text = res.text().await.expect("a UTF-8 body");
    if text.is_empty() {
        return (status, serde_json::Value::Null);
    }
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("a JSON body ({e}) with {status}: {text:?}"));
    (status, body)
}
