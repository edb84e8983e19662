//! CPU cost of the two pure steps of every run, for 10 to 10,000 peerings:
//!
//! - `load`: parsing and validating a desired-state file (`bench::parse`);
//! - `plan`: diffing it against an account the way a run does (`bench::plan_accounts`, then
//!   `Plan::merge`);
//! - `load_and_plan`: both, which is what a run spends besides waiting on the network.
//!
//! Run with `cargo bench --bench load_and_plan`. Divan prints the time per call and, as
//! throughput, peerings per second for each N: with linear cost the throughput stays flat as N
//! grows. A summary of nanoseconds per peering follows, and the goal (load and plan 10,000
//! peerings in under 100 ms) is checked in `cargo bench --bench e2e`.

mod common;

use divan::Bencher;
use divan::counter::ItemsCount;
use peerings::bench;

const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];

fn main() {
    divan::main();
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn load(bencher: Bencher, n: usize) {
    let text = common::desired_toml(n);
    bencher
        .counter(ItemsCount::new(n))
        .bench(|| bench::parse(divan::black_box(&text)).expect("valid file"));
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn plan(bencher: Bencher, n: usize) {
    let desired = bench::parse(&common::desired_toml(n)).expect("valid file");
    let accounts = common::accounts(n);
    bencher
        .counter(ItemsCount::new(n))
        .bench(|| common::plan(divan::black_box(&desired), divan::black_box(&accounts)));
}

#[divan::bench(args = SIZES, sample_count = 30)]
fn load_and_plan(bencher: Bencher, n: usize) {
    let text = common::desired_toml(n);
    let accounts = common::accounts(n);
    bencher.counter(ItemsCount::new(n)).bench(|| {
        let desired = bench::parse(divan::black_box(&text)).expect("valid file");
        common::plan(&desired, divan::black_box(&accounts))
    });
}
