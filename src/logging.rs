//! Diagnostics on stderr through `tracing`: warnings by default, `-v` for retries, `-vv` for
//! every request, `-q` for errors only; `RUST_LOG` overrides all of them.

use tracing_subscriber::EnvFilter;

pub fn init(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        (false, _) => "trace",
    };
    // Other crates' (hyper's, reqwest's) own logs are noise below trace; only ours get -v.
    let default = if verbose >= 3 {
        level.to_owned()
    } else {
        format!("warn,peerings={level}")
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .try_init();
}
