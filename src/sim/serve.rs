//! `peerings sim serve`: the simulator as a server of its own, with flags that override the
//! world's settings.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tokio::net::TcpListener;

use super::error::SimError;
use super::faults::{Faults, Probability, RateLimit};
use super::{Simulator, World, routes};

/// How the served platform behaves: `sim serve`'s flags, to flatten into the command line.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServeOptions {
    /// Boxed, so that a command-line enum holding these flags stays small.
    #[command(flatten)]
    flags: Box<ServeFlags>,
}

/// Each flag given overrides the world's value (the world file's `provisioning_ms` and
/// `[faults]`, or the state file's); each left out keeps it. The defaults shown are the demo
/// world's, which are also a world file's when it leaves the setting out (a test keeps them
/// true).
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Simulated behaviour")]
struct ServeFlags {
    /// Keep a peering `provisioning` this long after a create or a change of its
    /// configured_status; 0 never. [default: 0]
    #[arg(long, value_name = "MS")]
    provisioning_ms: Option<u64>,
    /// Seed of the random numbers all faults and jitter are drawn from; the same seed and the
    /// same order of requests give the same faults. [default: 0]
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Delay every request this long before handling it. [default: 0]
    #[arg(long, value_name = "MS")]
    latency_ms: Option<u64>,
    /// Delay every request by up to this much more, drawn uniformly. [default: 0]
    #[arg(long, value_name = "MS")]
    jitter_ms: Option<u64>,
    /// Answer this share of requests (0 to 1) with 429 and Retry-After, unhandled. [default: 0]
    #[arg(long = "rate-429", value_name = "P")]
    rate_429: Option<Probability>,
    /// The Retry-After of a 429, in seconds. [default: 1]
    #[arg(long, value_name = "S")]
    retry_after_s: Option<u64>,
    /// Answer this share of requests (0 to 1) with 500, unhandled. [default: 0]
    #[arg(long = "rate-500", value_name = "P")]
    rate_500: Option<Probability>,
    /// Answer this share of requests (0 to 1) with 503, unhandled. [default: 0]
    #[arg(long = "rate-503", value_name = "P")]
    rate_503: Option<Probability>,
    /// Close the connection of this share of requests (0 to 1) without handling them or
    /// answering. [default: 0]
    #[arg(long, value_name = "P")]
    rate_drop_before: Option<Probability>,
    /// Handle this share of requests (0 to 1), saving any change, then close the connection
    /// without answering. [default: 0]
    #[arg(long, value_name = "P")]
    rate_drop_after: Option<Probability>,
    /// Send the body of this share of answers (0 to 1) slowly, over --slow-body-ms. [default: 0]
    #[arg(long, value_name = "P")]
    rate_slow_body: Option<Probability>,
    /// How long a slow answer's body takes to arrive. [default: 1000]
    #[arg(long, value_name = "MS")]
    slow_body_ms: Option<u64>,
    /// Accept at most this many requests a second ("10/s"), in bursts of up to that many;
    /// answer the others 429 with Retry-After. [default: none]
    #[arg(long, value_name = "N/s")]
    rate_limit: Option<RateLimit>,
}

impl ServeFlags {
    /// `faults` with every flag given put in its place.
    fn override_faults(&self, faults: Faults) -> Faults {
        Faults {
            seed: self.seed.unwrap_or(faults.seed),
            latency_ms: self.latency_ms.unwrap_or(faults.latency_ms),
            jitter_ms: self.jitter_ms.unwrap_or(faults.jitter_ms),
            rate_429: self.rate_429.unwrap_or(faults.rate_429),
            retry_after_s: self.retry_after_s.unwrap_or(faults.retry_after_s),
            rate_500: self.rate_500.unwrap_or(faults.rate_500),
            rate_503: self.rate_503.unwrap_or(faults.rate_503),
            rate_drop_before: self.rate_drop_before.unwrap_or(faults.rate_drop_before),
            rate_drop_after: self.rate_drop_after.unwrap_or(faults.rate_drop_after),
            rate_slow_body: self.rate_slow_body.unwrap_or(faults.rate_slow_body),
            slow_body_ms: self.slow_body_ms.unwrap_or(faults.slow_body_ms),
            rate_limit: self.rate_limit.or(faults.rate_limit),
        }
    }

    /// Puts the flags given into force on `simulator`, over the world's settings.
    fn apply(&self, simulator: &Simulator) -> Result<(), SimError> {
        let world = simulator.world();
        let faults = self.override_faults(world.faults);
        faults
            .check()
            .map_err(|error| SimError::FaultFlags(Box::new(error)))?;
        simulator.set_faults(faults);
        let provisioning_ms = self.provisioning_ms.unwrap_or(world.provisioning_ms);
        simulator.set_provisioning(Duration::from_millis(provisioning_ms));
        Ok(())
    }
}

impl ServeOptions {
    fn apply(&self, simulator: &Simulator) -> Result<(), SimError> {
        self.flags.apply(simulator)
    }
}

/// `peerings sim serve`: serves until Ctrl-C. Once bound, prints `listening on http://ADDR` to
/// stdout, so scripts and tests can read the port.
///
/// It starts from the world file if one is given (refusing to overwrite an existing state
/// file with it), else from the state file if it exists, else from the demo world; then the
/// flags in `options` override the world's settings.
pub async fn serve(
    listen: String,
    state: Option<PathBuf>,
    world: Option<PathBuf>,
    options: ServeOptions,
) -> Result<(), SimError> {
    let simulator = simulator_to_serve(state, world, &options)?;
    let cannot_listen = |source| SimError::Listen {
        address: listen.clone(),
        source,
    };
    let listener = TcpListener::bind(listen.as_str())
        .await
        .map_err(cannot_listen)?;
    let bound = listener.local_addr().map_err(cannot_listen)?;
    announce(bound).map_err(SimError::Announce)?;
    axum::serve(listener, routes::router(simulator))
        .with_graceful_shutdown(ctrl_c())
        .await
        .map_err(SimError::Stopped)
}

pub(super) fn simulator_to_serve(
    state: Option<PathBuf>,
    world: Option<PathBuf>,
    options: &ServeOptions,
) -> Result<Simulator, SimError> {
    if let (Some(state), Some(_)) = (&state, &world) {
        if state.exists() {
            return Err(SimError::StateAndWorld(state.clone()));
        }
    }
    let initial = match &world {
        Some(path) => World::load_toml(path)?,
        None => World::demo(),
    };
    let simulator = match state {
        Some(state) => Simulator::with_state_file(state, initial)?,
        None => Simulator::new(initial),
    };
    options.apply(&simulator)?;
    Ok(simulator)
}

fn announce(bound: SocketAddr) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on http://{bound}")?;
    stdout.flush()
}

/// Resolves on Ctrl-C. If the signal handler cannot be installed, never resolves: stopping
/// the server at once would be worse than needing another way to stop it.
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        options: ServeOptions,
    }

    fn parse(args: &[&str]) -> Result<ServeOptions, clap::Error> {
        Cli::try_parse_from(std::iter::once("serve").chain(args.iter().copied()))
            .map(|cli| cli.options)
    }

    #[test]
    fn flags_given_override_the_world_and_the_rest_stay() {
        let options = parse(&[
            "--rate-429",
            "0.25",
            "--seed",
            "9",
            "--provisioning-ms",
            "5",
        ])
        .unwrap();
        let mut world = World::demo();
        world.faults.latency_ms = 70;
        world.faults.seed = 1;
        world.provisioning_ms = 1000;
        let simulator = Simulator::new(world);
        options.apply(&simulator).unwrap();
        let faults = options.flags.override_faults(simulator.world().faults);
        assert_eq!(faults.rate_429.get(), 0.25);
        assert_eq!((faults.seed, faults.latency_ms), (9, 70));
        assert_eq!(
            simulator
                .shared
                .provisioning_ms
                .load(std::sync::atomic::Ordering::Relaxed),
            5
        );
    }

    /// The help states each flag's default by hand (a flag left out keeps the world's value, so
    /// clap has no default to show); it must be what the demo world has.
    #[test]
    fn the_help_shows_the_demo_worlds_settings_as_defaults() {
        use clap::CommandFactory;
        let world = World::demo();
        let faults = &world.faults;
        let expected = [
            ("provisioning-ms", world.provisioning_ms.to_string()),
            ("seed", faults.seed.to_string()),
            ("latency-ms", faults.latency_ms.to_string()),
            ("jitter-ms", faults.jitter_ms.to_string()),
            ("rate-429", faults.rate_429.get().to_string()),
            ("retry-after-s", faults.retry_after_s.to_string()),
            ("rate-500", faults.rate_500.get().to_string()),
            ("rate-503", faults.rate_503.get().to_string()),
            (
                "rate-drop-before",
                faults.rate_drop_before.get().to_string(),
            ),
            ("rate-drop-after", faults.rate_drop_after.get().to_string()),
            ("rate-slow-body", faults.rate_slow_body.get().to_string()),
            ("slow-body-ms", faults.slow_body_ms.to_string()),
            (
                "rate-limit",
                faults
                    .rate_limit
                    .map_or_else(|| "none".to_owned(), String::from),
            ),
        ];
        let command = Cli::command();
        let flags: Vec<_> = command
            .get_arguments()
            .filter_map(|arg| Some((arg.get_long()?, arg.get_help()?.to_string())))
            .collect();
        assert_eq!(flags.len(), expected.len(), "every flag is checked");
        for (long, default) in expected {
            let help = &flags.iter().find(|(name, _)| *name == long).unwrap().1;
            assert!(
                help.ends_with(&format!("[default: {default}]")),
                "--{long}: {help}"
            );
        }
    }

    #[test]
    fn rates_must_be_probabilities_adding_up_to_at_most_1() {
        for bad in [
            ["--rate-500", "1.5"],
            ["--rate-drop-after", "-1"],
            ["--rate-503", "x"],
        ] {
            assert!(parse(&bad).is_err(), "{bad:?}");
        }
        let too_many = parse(&["--rate-500", "0.7", "--rate-503", "0.7"]).unwrap();
        let message = too_many
            .apply(&Simulator::new(World::demo()))
            .unwrap_err()
            .with_causes();
        assert!(message.contains("add up to"), "{message}");
    }
}
