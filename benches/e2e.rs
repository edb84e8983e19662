//! End to end: the release binary against the simulator with 50 ms added to every request.
//!
//! Run with `cargo bench --bench e2e` (it builds the binary with the release settings, as
//! `cargo bench` does for every target). It measures:
//!
//! - `peerings --version`: process start-up;
//! - `plan` against an account with 10 and 100 existing peerings;
//! - `plan` of 10 `[[aiven_peering]]` tables, each with its own Aiven VPC, over 2 accounts: the
//!   accounts' lists and the VPCs' reads all at once, one round trip;
//! - `apply` of 100 creates at `--parallelism` 1, 4 and 16;
//! - `apply` of 100 creates at `--parallelism` 16 against a rate limit of 10 requests a second:
//!   the requests sent per change, every refused one included (goal: at most 1.3);
//! - in-process: loading and planning a file of 10,000 peerings (CPU time of this thread).
//!
//! For each run of the binary it prints the wall time, the floor (round trips times the
//! latency), their ratio, the requests by kind, the child's user+system CPU time and its peak
//! resident memory (from `wait4`). The floor of a plan is one round trip: its two list
//! requests run at the same time. The floor of an apply of N creates at parallelism P is
//! 1 + ceil(N / P) round trips: the read that plans it, then ceil(N / P) waves of creates.
//!
//! It exits non-zero when a goal is missed (see `docs/performance.md`): a plan sending other
//! than 2 requests (the Aiven plan: more than 2 per account and 1 per VPC), a plan slower than
//! 1.3 x its floor + 60 ms, an apply slower than 1.25 x its floor + 60 ms, `--version` at 10 ms
//! or more, a 100-peering plan peaking at 30 MB or more, or loading and planning 10,000
//! peerings taking 100 ms or more. Verdicts use the median of
//! the runs; the slowest run is printed too. `PEERINGS_E2E_RUNS` sets the runs per scenario
//! (default 3).
//!
//! Under `cargo test --benches` (no `--bench` flag) it does nothing: it takes about half a
//! minute and needs an otherwise idle machine to mean anything.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::File;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use peerings::bench;
use peerings::sim::{Faults, Simulator, World};

const LATENCY: Duration = Duration::from_millis(50);
/// What the goals allow on top of the round trips: process start-up, planning and output.
const SLACK: Duration = Duration::from_millis(60);
const PLAN_FACTOR: f64 = 1.3;
const APPLY_FACTOR: f64 = 1.25;
const PLAN_MAX_REQUESTS: usize = 2;
const VERSION_GOAL: Duration = Duration::from_millis(10);
const PLAN_RSS_GOAL_KB: u64 = 30 * 1024;
const LOAD_PLAN_GOAL: Duration = Duration::from_millis(100);
const LOAD_PLAN_N: usize = 10_000;
const APPLY_N: usize = 100;
/// The rate-limited apply: the simulator's limit, the parallelism, and the most requests a
/// change may cost (the plan's reads and every request told to wait included).
const RATE_LIMIT: &str = "10/s";
const RATE_LIMITED_PARALLELISM: usize = 16;
const REQUESTS_PER_CHANGE_GOAL: f64 = 1.3;

fn main() -> ExitCode {
    if !std::env::args().any(|arg| arg == "--bench") {
        println!("e2e: skipped; run it with `cargo bench --bench e2e`");
        return ExitCode::SUCCESS;
    }
    let runs: usize = std::env::var("PEERINGS_E2E_RUNS")
        .ok()
        .and_then(|value| value.parse().ok())
        .filter(|&runs| runs > 0)
        .unwrap_or(3);
    let binary = Path::new(env!("CARGO_BIN_EXE_peerings"));
    let size = std::fs::metadata(binary).map(|m| m.len()).unwrap_or(0);
    println!(
        "binary: {} ({} bytes, {:.1} MiB)",
        binary.display(),
        size,
        size as f64 / (1024.0 * 1024.0)
    );
    println!(
        "latency added to every request: {} ms; runs per scenario: {runs}\n",
        LATENCY.as_millis()
    );

    let mut failures = Vec::new();
    version(binary, &mut failures);
    println!();
    let mut rows = Vec::new();
    for existing in [10, 100] {
        rows.push(plan_scenario(binary, existing, runs, &mut failures));
    }
    rows.push(aiven_plan_scenario(binary, runs, &mut failures));
    for parallelism in [1, 4, 16] {
        rows.push(apply_scenario(binary, parallelism, runs, &mut failures));
    }
    println!();
    print_table(&rows);
    println!();
    rate_limited_apply(binary, runs, &mut failures);
    println!();
    load_and_plan(&mut failures);

    println!();
    if failures.is_empty() {
        println!("All goals met.");
        ExitCode::SUCCESS
    } else {
        println!("Goals missed:");
        for failure in &failures {
            println!("  - {failure}");
        }
        ExitCode::FAILURE
    }
}

/// One run of the binary, measured.
#[derive(Debug, Clone)]
struct Measured {
    wall: Duration,
    cpu: Duration,
    max_rss_kb: u64,
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the binary in `dir` with a clean environment, and measures it with `wait4`.
fn run(binary: &Path, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Measured {
    let out_path = dir.join("stdout.txt");
    let err_path = dir.join("stderr.txt");
    let mut command = Command::new(binary);
    command
        .current_dir(dir)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).expect("create stdout file"))
        .stderr(File::create(&err_path).expect("create stderr file"));
    for (key, value) in env {
        command.env(key, value);
    }
    let start = Instant::now();
    let child = command.spawn().expect("the peerings binary starts");
    let pid = libc::pid_t::try_from(child.id()).expect("pid fits pid_t");
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero `rusage` is a valid value of the plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet waited for (std waits only when asked), and both
    // pointers are to live locals.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
    drop(child); // Already reaped: dropping a `Child` does not wait.
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    Measured {
        wall,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        // Kilobytes on Linux.
        max_rss_kb: usage.ru_maxrss as u64,
        code,
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
    }
}

/// A simulator serving on a loopback port for the life of the value.
struct Sim {
    _runtime: tokio::runtime::Runtime,
    simulator: Simulator,
    address: SocketAddr,
}

impl Sim {
    fn start(world_toml: &str) -> Sim {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime");
        let world = World::from_toml(world_toml).expect("the generated world is valid");
        let simulator = Simulator::new(world);
        let address = runtime
            .block_on(simulator.spawn(SocketAddr::from(([127, 0, 0, 1], 0))))
            .expect("the simulator binds a loopback port");
        simulator.set_latency(LATENCY);
        Sim {
            _runtime: runtime,
            simulator,
            address,
        }
    }

    fn env(&self) -> [(&'static str, String); 2] {
        [
            ("UPCLOUD_API_URL", format!("http://{}", self.address)),
            ("UPCLOUD_TOKEN", common::TEAM_TOKEN.to_owned()),
        ]
    }

    fn run(&self, binary: &Path, dir: &Path, args: &[&str]) -> Measured {
        self.run_with(binary, dir, args, &[])
    }

    /// [`Sim::run`], with more environment variables.
    fn run_with(
        &self,
        binary: &Path,
        dir: &Path,
        args: &[&str],
        more: &[(&str, String)],
    ) -> Measured {
        let env = self.env();
        let env: Vec<(&str, &str)> = env
            .iter()
            .chain(more)
            .map(|(k, v)| (*k, v.as_str()))
            .collect();
        run(binary, dir, args, &env)
    }
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn ms(duration: Duration) -> String {
    format!("{:.1}", duration.as_secs_f64() * 1e3)
}

fn requests(counts: &BTreeMap<String, usize>) -> String {
    counts
        .iter()
        .map(|(kind, count)| format!("{count} x {kind}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_exit(what: &str, measured: &Measured) {
    if measured.code != 0 {
        panic!(
            "{what} exited with {}\n--- stdout\n{}\n--- stderr\n{}",
            measured.code, measured.stdout, measured.stderr
        );
    }
}

fn version(binary: &Path, failures: &mut Vec<String>) {
    let dir = tempfile::tempdir().expect("temporary directory");
    // The first start pays for reading the file into the page cache.
    check_exit("--version", &run(binary, dir.path(), &["--version"], &[]));
    let runs: Vec<Measured> = (0..20)
        .map(|_| run(binary, dir.path(), &["--version"], &[]))
        .collect();
    let wall = median(runs.iter().map(|m| m.wall).collect());
    let slowest = runs.iter().map(|m| m.wall).max().unwrap_or_default();
    let cpu = median(runs.iter().map(|m| m.cpu).collect());
    let rss = runs.iter().map(|m| m.max_rss_kb).max().unwrap_or(0);
    let met = wall < VERSION_GOAL;
    println!(
        "peerings --version (20 runs): median {} ms, slowest {} ms, CPU {} ms, peak RSS {:.1} MB; goal < {} ms: {}",
        ms(wall),
        ms(slowest),
        ms(cpu),
        rss as f64 / 1024.0,
        VERSION_GOAL.as_millis(),
        verdict(met)
    );
    if !met {
        failures.push(format!(
            "`peerings --version` took {} ms (goal < {} ms)",
            ms(wall),
            VERSION_GOAL.as_millis()
        ));
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

/// One line of the summary table.
struct Row {
    scenario: String,
    wall: Duration,
    slowest: Duration,
    floor: Duration,
    allowed: Duration,
    requests: String,
    cpu: Duration,
    max_rss_kb: u64,
}

impl Row {
    fn ratio(&self) -> f64 {
        self.wall.as_secs_f64() / self.floor.as_secs_f64()
    }
}

fn allowed(floor: Duration, factor: f64) -> Duration {
    floor.mul_f64(factor) + SLACK
}

fn print_table(rows: &[Row]) {
    let mut table = String::new();
    writeln!(
        table,
        "| scenario | wall (median) | slowest | floor | wall / floor | allowed | requests | CPU (user+sys) | peak RSS |"
    )
    .unwrap();
    writeln!(table, "|---|---|---|---|---|---|---|---|---|").unwrap();
    for row in rows {
        writeln!(
            table,
            "| {} | {} ms | {} ms | {} ms | {:.2} | {} ms | {} | {} ms | {:.1} MB |",
            row.scenario,
            ms(row.wall),
            ms(row.slowest),
            ms(row.floor),
            row.ratio(),
            ms(row.allowed),
            row.requests,
            ms(row.cpu),
            row.max_rss_kb as f64 / 1024.0
        )
        .unwrap();
    }
    print!("{table}");
}

fn plan_scenario(binary: &Path, existing: usize, runs: usize, failures: &mut Vec<String>) -> Row {
    let scenario = format!("plan, {existing} existing");
    let sim = Sim::start(&common::world_toml(common::LOCAL_NETWORKS, existing));
    let file = common::desired_toml(existing);
    let plan = PlanScenario {
        scenario,
        file: &file,
        env: &[],
        max_requests: PLAN_MAX_REQUESTS,
    };
    let row = plan.measure(binary, &sim, runs, failures);
    if existing == 100 && row.max_rss_kb >= PLAN_RSS_GOAL_KB {
        failures.push(format!(
            "{}: peak RSS {:.1} MB (goal < {} MB)",
            row.scenario,
            row.max_rss_kb as f64 / 1024.0,
            PLAN_RSS_GOAL_KB / 1024
        ));
    }
    row
}

/// A plan of [`common::AIVEN_VPCS`] `[[aiven_peering]]` tables, each with its own VPC, over two
/// accounts: every account's two lists and every VPC's read go at once, so its floor is one
/// round trip, as for a plan of one account.
fn aiven_plan_scenario(binary: &Path, runs: usize, failures: &mut Vec<String>) -> Row {
    let vpcs = common::AIVEN_VPCS;
    let sim = Sim::start(&common::aiven_world_toml());
    let file = common::aiven_desired_toml();
    let env = [
        ("UPCLOUD_TOKEN_TEAM", common::TEAM_TOKEN.to_owned()),
        ("UPCLOUD_TOKEN_OTHER", common::OTHER_TOKEN.to_owned()),
        ("AIVEN_TOKEN", common::AIVEN_TOKEN.to_owned()),
        ("AIVEN_API_URL", format!("http://{}", sim.address)),
    ];
    let plan = PlanScenario {
        scenario: format!("plan, {vpcs} Aiven VPCs, 2 accounts"),
        file: &file,
        env: &env,
        // 2 per account, 1 per VPC.
        max_requests: 2 * 2 + vpcs,
    };
    plan.measure(binary, &sim, runs, failures)
}

/// A plan scenario: `file` planned against a simulator, whose floor is one round trip.
struct PlanScenario<'a> {
    scenario: String,
    file: &'a str,
    /// Beside the simulator's URL and the token of `team`.
    env: &'a [(&'a str, String)],
    max_requests: usize,
}

impl PlanScenario<'_> {
    /// Runs it once to warm up, then `runs` times, each checked against the goals.
    fn measure(self, binary: &Path, sim: &Sim, runs: usize, failures: &mut Vec<String>) -> Row {
        let PlanScenario {
            scenario,
            file,
            env,
            max_requests,
        } = self;
        let dir = tempfile::tempdir().expect("temporary directory");
        std::fs::write(dir.path().join("peerings.toml"), file).expect("write peerings.toml");
        let args = ["plan", "-f", "peerings.toml"];
        check_exit(&scenario, &sim.run_with(binary, dir.path(), &args, env)); // warm-up
        let floor = LATENCY;
        let allowed = allowed(floor, PLAN_FACTOR);
        let mut measured = Vec::new();
        let mut all_counts = BTreeMap::new();
        for i in 0..runs {
            sim.simulator.reset_log();
            let m = sim.run_with(binary, dir.path(), &args, env);
            check_exit(&scenario, &m);
            let counts = sim.simulator.request_counts();
            let total: usize = counts.values().sum();
            println!(
                "{scenario}, run {}: wall {} ms (floor {} ms, ratio {:.2}), CPU {} ms, peak RSS {:.1} MB, requests: {}",
                i + 1,
                ms(m.wall),
                ms(floor),
                m.wall.as_secs_f64() / floor.as_secs_f64(),
                ms(m.cpu),
                m.max_rss_kb as f64 / 1024.0,
                requests(&counts)
            );
            if total > max_requests {
                failures.push(format!(
                    "{scenario} sent {total} requests (at most {max_requests}): {}",
                    requests(&counts)
                ));
            }
            all_counts = counts;
            measured.push(m);
        }
        let row = summarize(scenario, &measured, floor, allowed, &all_counts);
        if row.wall > allowed {
            failures.push(format!(
                "{}: {} ms, over the allowed {PLAN_FACTOR} x {} ms + {} ms = {} ms",
                row.scenario,
                ms(row.wall),
                ms(floor),
                SLACK.as_millis(),
                ms(allowed)
            ));
        }
        row
    }
}

/// What every apply scenario starts from: a folder with the file of [`APPLY_N`] creates, the
/// world without their peerings, and the command line that applies it at `parallelism`.
fn apply_setup(parallelism: usize) -> (tempfile::TempDir, String, Vec<String>) {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(
        dir.path().join("peerings.toml"),
        common::desired_toml(APPLY_N),
    )
    .expect("write peerings.toml");
    let world = common::world_toml(common::LOCAL_NETWORKS, 0);
    let args = [
        "apply",
        "-f",
        "peerings.toml",
        "--auto-approve",
        "--parallelism",
        &parallelism.to_string(),
    ]
    .map(str::to_owned)
    .to_vec();
    (dir, world, args)
}

fn apply_scenario(
    binary: &Path,
    parallelism: usize,
    runs: usize,
    failures: &mut Vec<String>,
) -> Row {
    let scenario = format!("apply, {APPLY_N} creates, parallelism {parallelism}");
    let round_trips = 1 + APPLY_N.div_ceil(parallelism);
    let floor = LATENCY * u32::try_from(round_trips).expect("few round trips");
    let allowed = allowed(floor, APPLY_FACTOR);
    let (dir, world, args) = apply_setup(parallelism);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut measured = Vec::new();
    let mut last_counts = BTreeMap::new();
    for i in 0..runs {
        // Each run starts from an account without peerings.
        let sim = Sim::start(&world);
        let m = sim.run(binary, dir.path(), &args);
        check_exit(&scenario, &m);
        let counts = sim.simulator.request_counts();
        let created = sim
            .simulator
            .world()
            .peerings()
            .filter(|p| p.account == "team")
            .count();
        assert_eq!(created, APPLY_N, "{scenario}: every create succeeds");
        println!(
            "{scenario}, run {}: wall {} ms (floor {round_trips} x {} ms = {} ms, ratio {:.2}), CPU {} ms, peak RSS {:.1} MB, requests: {}",
            i + 1,
            ms(m.wall),
            LATENCY.as_millis(),
            ms(floor),
            m.wall.as_secs_f64() / floor.as_secs_f64(),
            ms(m.cpu),
            m.max_rss_kb as f64 / 1024.0,
            requests(&counts)
        );
        last_counts = counts;
        measured.push(m);
    }
    let row = summarize(scenario, &measured, floor, allowed, &last_counts);
    if row.wall > allowed {
        failures.push(format!(
            "{}: {} ms, over the allowed {APPLY_FACTOR} x {} ms + {} ms = {} ms (ratio {:.2})",
            row.scenario,
            ms(row.wall),
            ms(floor),
            SLACK.as_millis(),
            ms(allowed),
            row.ratio()
        ));
    }
    row
}

/// 100 creates at parallelism 16 against a simulator that accepts 10 requests a second and
/// answers 429 with `Retry-After` beyond that: every create must succeed in one run, and the
/// requests sent per change (the plan's two reads and every refused request included) stay at
/// most [`REQUESTS_PER_CHANGE_GOAL`].
fn rate_limited_apply(binary: &Path, runs: usize, failures: &mut Vec<String>) {
    let scenario = format!(
        "apply, {APPLY_N} creates, parallelism {RATE_LIMITED_PARALLELISM}, rate limit {RATE_LIMIT}"
    );
    let (dir, world, args) = apply_setup(RATE_LIMITED_PARALLELISM);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut per_change = Vec::new();
    for i in 0..runs {
        let sim = Sim::start(&world);
        sim.simulator.set_faults(Faults {
            latency_ms: u64::try_from(LATENCY.as_millis()).expect("a short latency"),
            rate_limit: Some(RATE_LIMIT.parse().expect("a rate")),
            ..Faults::default()
        });
        let m = sim.run(binary, dir.path(), &args);
        check_exit(&scenario, &m);
        let created = sim
            .simulator
            .world()
            .peerings()
            .filter(|p| p.account == "team")
            .count();
        assert_eq!(created, APPLY_N, "{scenario}: every create succeeds");
        let log = sim.simulator.request_log();
        let refused = log
            .iter()
            .filter(|r| r.fault.as_deref() == Some("rate-limit"))
            .count();
        let ratio = log.len() as f64 / APPLY_N as f64;
        println!(
            "{scenario}, run {}: {} requests ({refused} refused with 429) for {APPLY_N} changes = {ratio:.2} per change; wall {} ms (at 10/s, {APPLY_N} creates need at least {} ms)",
            i + 1,
            log.len(),
            ms(m.wall),
            (APPLY_N as u64 + 2 - 10) * 100,
        );
        per_change.push(ratio);
    }
    per_change.sort_by(f64::total_cmp);
    let worst = per_change.last().copied().unwrap_or(f64::INFINITY);
    let met = worst <= REQUESTS_PER_CHANGE_GOAL;
    println!(
        "{scenario}: requests per change, worst of {runs}: {worst:.2}; goal <= {REQUESTS_PER_CHANGE_GOAL}: {}",
        verdict(met)
    );
    if !met {
        failures.push(format!(
            "{scenario}: {worst:.2} requests per change (goal <= {REQUESTS_PER_CHANGE_GOAL})"
        ));
    }
}

fn summarize(
    scenario: String,
    measured: &[Measured],
    floor: Duration,
    allowed: Duration,
    counts: &BTreeMap<String, usize>,
) -> Row {
    Row {
        scenario,
        wall: median(measured.iter().map(|m| m.wall).collect()),
        slowest: measured.iter().map(|m| m.wall).max().unwrap_or_default(),
        floor,
        allowed,
        requests: requests(counts),
        cpu: median(measured.iter().map(|m| m.cpu).collect()),
        max_rss_kb: measured.iter().map(|m| m.max_rss_kb).max().unwrap_or(0),
    }
}

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a live local of the type the call fills in.
    let result = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(result, 0, "clock_gettime");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Loading and planning 10,000 peerings in this process: the part of a run that is CPU only.
/// `cargo bench --bench load_and_plan` measures it in detail for every size.
fn load_and_plan(failures: &mut Vec<String>) {
    let text = common::desired_toml(LOAD_PLAN_N);
    let accounts = common::accounts(LOAD_PLAN_N);
    let mut times = Vec::new();
    for _ in 0..11 {
        let start = thread_cpu();
        let desired = bench::parse(&text).expect("valid file");
        let plan = common::plan(&desired, &accounts);
        times.push(thread_cpu() - start);
        std::hint::black_box((desired, plan));
    }
    let cpu = median(times);
    let met = cpu < LOAD_PLAN_GOAL;
    println!(
        "load and plan {LOAD_PLAN_N} peerings (in process, 11 runs): median CPU {} ms; goal < {} ms: {}",
        ms(cpu),
        LOAD_PLAN_GOAL.as_millis(),
        verdict(met)
    );
    if !met {
        failures.push(format!(
            "loading and planning {LOAD_PLAN_N} peerings took {} ms of CPU (goal < {} ms)",
            ms(cpu),
            LOAD_PLAN_GOAL.as_millis()
        ));
    }
}
