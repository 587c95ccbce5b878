#[cfg(feature = "ssr")]
fn main() -> std::process::ExitCode {
    release_large_allocations();
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

/// Each password hash takes 19 MiB (argon2id). glibc raises its mmap
/// threshold after the first such block is freed, and from then on keeps the
/// memory of every hash in its heap: a few sign-ins left the server at 180 MB.
/// A fixed threshold hands those blocks back to the system when freed.
#[cfg(all(feature = "ssr", target_os = "linux", target_env = "gnu"))]
fn release_large_allocations() {
    // SAFETY: mallopt only changes the allocator's tuning; it is called before
    // any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(all(feature = "ssr", not(all(target_os = "linux", target_env = "gnu"))))]
fn release_large_allocations() {}

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
