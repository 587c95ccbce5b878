#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() -> std::process::ExitCode {
    chat98::server::cli::run().await
}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser side starts in lib.rs (`hydrate`); this binary needs `ssr`.
}
