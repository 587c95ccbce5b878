/// jemalloc rather than glibc's malloc: glibc spent about a third of the CPU
/// of rendering `/chat` in its allocation paths and arena locks (jemalloc:
/// +68 % pages per second, and 10,000 idle sockets still within 120 MB). Each password hash takes 19 MiB (argon2id); jemalloc
/// hands blocks that large back to the system as soon as they are freed.
/// Measured in BENCHMARKS.md, "Session 12".
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[cfg(feature = "ssr")]
fn main() -> std::process::ExitCode {
    raise_open_file_limit();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(chat98::server::cli::run()),
        Err(e) => {
            eprintln!("chat98: cannot start the async runtime: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Every connection is a file: take the hard limit the system allows this
/// process rather than the (often 1,024) soft one. The server's own
/// `--max-connections` then stays below it (see the settings).
#[cfg(all(feature = "ssr", unix))]
fn raise_open_file_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct given;
    // this runs before any other thread exists.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

#[cfg(all(feature = "ssr", not(unix)))]
fn raise_open_file_limit() {}

#[cfg(not(feature = "ssr"))]
fn main() {
    // The browser side starts in lib.rs (`hydrate`); this binary needs `ssr`.
}
