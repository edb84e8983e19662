//! The README, held to what the program does: every command of its shell blocks runs, copied
//! and pasted, against the simulator, and ends as the README says; and it quotes no measured
//! figure that could go stale (`docs/performance.md` records those, with the benchmarks).

mod common;

use std::collections::BTreeMap;

use common::peerings_command;

const README: &str = include_str!("../README.md");

/// Files of the repository the README's commands name, copied into each section's directory as
/// a fresh clone has them.
const REPOSITORY_FILES: [(&str, &str); 2] = [
    (
        "peerings.toml.example",
        include_str!("../peerings.toml.example"),
    ),
    (
        "examples/multi-account.toml",
        include_str!("../examples/multi-account.toml"),
    ),
];

/// Where the README says UpCloud, the simulator stands in: the commands keep their words, and
/// `sim:` acts as its own account whatever credentials they export.
const UPCLOUD_STAND_IN: (&str, &str) = ("UPCLOUD_API_URL", "sim:upcloud-stand-in.json");

/// Commands a test cannot run as written, and how it runs them instead: `apply` asks on a
/// terminal, and a test has none, so it gives the answer the README's reader would.
const AS_AT_A_TERMINAL: [(&str, &str); 1] = [("peerings apply", "peerings apply --auto-approve")];

/// Commands the README shows that this test does not run, and why.
const NOT_RUN: [(&str, &str); 1] = [("cargo test --locked", "it runs this very test")];

/// One command of a shell block: its words, and the exit code its comment promises (`# exit 3`),
/// else 0.
#[derive(Debug)]
struct Line {
    section: String,
    text: String,
    expected_exit: i32,
}

fn shell_lines() -> Vec<Line> {
    let mut lines = Vec::new();
    let mut section = String::new();
    let mut in_shell = false;
    for line in README.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            section = heading.to_owned();
        } else if line.starts_with("```") {
            in_shell = !in_shell && line.trim() == "```sh";
        } else if in_shell && !line.trim().is_empty() {
            let (command, comment) = match line.find(" #") {
                Some(at) => (&line[..at], line[at + 2..].trim()),
                None => (line, ""),
            };
            let expected_exit = comment
                .strip_prefix("exit ")
                .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|code| code.parse().ok())
                .unwrap_or(0);
            lines.push(Line {
                section: section.clone(),
                text: command.trim().to_owned(),
                expected_exit,
            });
        }
    }
    lines
}

#[test]
fn every_command_of_the_readme_runs_against_the_simulator_as_it_says() {
    let lines = shell_lines();
    assert!(
        lines.len() >= 10,
        "the README's shell blocks were read: {lines:?}"
    );
    let mut sections: BTreeMap<&str, Vec<&Line>> = BTreeMap::new();
    for line in &lines {
        sections.entry(&line.section).or_default().push(line);
    }
    let mut ran = 0;
    for (section, lines) in sections {
        // Each section starts from a fresh clone; its commands share one directory, in order.
        let dir = tempfile::tempdir().expect("a directory");
        for (path, text) in REPOSITORY_FILES {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
            std::fs::write(path, text).expect("copy");
        }
        let mut env = vec![(UPCLOUD_STAND_IN.0.to_owned(), UPCLOUD_STAND_IN.1.to_owned())];
        for line in lines {
            let text = AS_AT_A_TERMINAL
                .iter()
                .find(|(shown, _)| *shown == line.text)
                .map_or(line.text.as_str(), |(_, run)| run);
            let words: Vec<&str> = text.split_whitespace().collect();
            match words.as_slice() {
                ["export", assignment] => {
                    let (name, value) = assignment.split_once('=').expect("NAME=value");
                    env.push((name.to_owned(), value.to_owned()));
                }
                ["cp", from, to] => {
                    std::fs::copy(dir.path().join(from), dir.path().join(to))
                        .unwrap_or_else(|e| panic!("{section}: `{}`: {e}", line.text));
                }
                ["cargo", "run", "--", args @ ..] | ["peerings", args @ ..] => {
                    let env: Vec<(&str, &str)> =
                        env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    let output = peerings_command(dir.path(), args, &env)
                        .output()
                        .expect("the binary runs");
                    let code = output.status.code().unwrap_or(-1);
                    assert_eq!(
                        code,
                        line.expected_exit,
                        "{section}: `{}` exited {code}, the README says {}\n{}{}",
                        line.text,
                        line.expected_exit,
                        String::from_utf8_lossy(&output.stdout),
                        String::from_utf8_lossy(&output.stderr)
                    );
                    ran += 1;
                }
                _ if NOT_RUN.iter().any(|(shown, _)| *shown == line.text) => {}
                _ => panic!(
                    "{section}: the README shows `{}`, which this test does not know how to run: \
                     make it a peerings command, or list it in NOT_RUN with the reason",
                    line.text
                ),
            }
        }
    }
    assert!(ran >= 8, "{ran} commands ran");
}

/// Measured figures (times, sizes) drift from the code as it changes; the benchmarks print them
/// and `docs/performance.md` records them with the run they come from. The README's
/// Performance section names only what stays true: how many round trips, and the settings a
/// measurement uses. (Elsewhere, figures with units are limits and settings of the program.)
#[test]
fn the_readme_quotes_no_measured_figure() {
    let units = ["ms", "MB", "MiB", "KiB", "bytes", "µs"];
    let performance = README
        .split("\n## Performance\n")
        .nth(1)
        .expect("a Performance section");
    let performance = performance.split("\n## ").next().unwrap_or(performance);
    let mut quoted = Vec::new();
    for line in performance.lines() {
        let words: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || "(),;".contains(c))
            .filter(|w| !w.is_empty())
            .collect();
        for pair in words.windows(2) {
            let number = pair[0].trim_end_matches(['.', ',']);
            let is_number = !number.is_empty()
                && number
                    .chars()
                    .all(|c| c.is_ascii_digit() || ".,".contains(c));
            let unit = pair[1].trim_end_matches(['.', ',', ':']);
            // 50 ms is what the benchmark adds to every request: a setting, not a measurement.
            let setting = number == "50" && unit == "ms";
            if is_number && units.contains(&unit) && !setting {
                quoted.push(line.to_owned());
            }
        }
    }
    assert!(
        quoted.is_empty(),
        "the README quotes measured figures; point to docs/performance.md instead:\n{}",
        quoted.join("\n")
    );
}
