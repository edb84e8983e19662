//! Diagnostics on stderr through `tracing`: warnings by default, `-v` for retries, `-vv` for
//! every request, `-q` for errors only; `RUST_LOG` overrides all of them. Coloured only on a
//! terminal, and never with `NO_COLOR` set, like the rest of the output: a log redirected to a
//! file or a pipe holds plain text.

use std::io::IsTerminal;

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
        .with_ansi(colour())
        .with_target(false)
        .without_time()
        .try_init();
}

fn colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
