//! A loopback TCP proxy a test can cut and restore, to take a dependency
//! (PostgreSQL) away from a server process and give it back.

use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub struct TcpProxy {
    pub port: u16,
    state: Arc<Mutex<ProxyState>>,
    acceptor: JoinHandle<()>,
}

#[derive(Default)]
struct ProxyState {
    cut: bool,
    /// Accept connections but pass nothing on (a hung server).
    stalled: bool,
    held: Vec<TcpStream>,
    pipes: Vec<JoinHandle<()>>,
}

impl TcpProxy {
    /// Forwards a free loopback port to `target` (host:port).
    pub async fn start(target: String) -> TcpProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let state = Arc::new(Mutex::new(ProxyState::default()));
        let shared = state.clone();
        let acceptor = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                {
                    let mut state = shared.lock().unwrap();
                    if state.stalled {
                        state.held.push(inbound);
                        continue;
                    }
                    if state.cut {
                        // Down: the connection is closed at once.
                        drop(inbound);
                        continue;
                    }
                }
                let target = target.clone();
                let pipe = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                shared.lock().unwrap().pipes.push(pipe);
            }
        });
        TcpProxy {
            port,
            state,
            acceptor,
        }
    }

    /// Drops every open connection and refuses new ones.
    pub fn cut(&self) {
        let mut state = self.state.lock().unwrap();
        state.cut = true;
        for pipe in state.pipes.drain(..) {
            pipe.abort();
        }
    }

    /// Drops every open connection; new ones are accepted and never answered.
    pub fn stall(&self) {
        self.cut();
        self.state.lock().unwrap().stalled = true;
    }

    pub fn restore(&self) {
        let mut state = self.state.lock().unwrap();
        state.cut = false;
        state.stalled = false;
        state.held.clear();
    }
}

impl Drop for TcpProxy {
    fn drop(&mut self) {
        self.cut();
        self.acceptor.abort();
    }
}
