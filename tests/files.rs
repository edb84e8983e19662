//! The files a person names: the desired-state file read with a size cap and only when it is a
//! regular UTF-8 file, each failure said once with a hint that fits it; `plan --out` and
//! `import -o` that never replace the desired-state file or write through a link; durations that
//! cannot work refused when the command line is read.

mod common;

use std::path::Path;
use std::process::Command;

use common::running::Running;
use common::*;

/// Runs `peerings validate -f FILE` in `dir`. A read that never ends must fail the test, not
/// hang it: `finish` kills a run that takes too long, which then exits -1.
fn validate(dir: &Path, file: &str) -> Run {
    let (run, _) = Running::start(dir, &["validate", "-f", file], &[]).finish();
    run
}

#[test]
fn each_unreadable_file_gets_one_message_with_a_hint_that_fits() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(path_in(&dir, "folder")).unwrap();
    let big = std::fs::File::create(path_in(&dir, "big.toml")).unwrap();
    big.set_len(16 * 1024 * 1024 + 1).unwrap();
    let mut files = vec!["missing.toml", "folder", "big.toml"];
    if cfg!(unix) {
        let fifo = path_in(&dir, "fifo");
        let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        files.extend(["fifo", "/dev/zero"]);
    }
    let mut report = String::new();
    for file in files {
        let run = validate(dir.path(), file);
        assert_eq!(run.code, 1, "{file}: {run:?}");
        assert_eq!(run.stdout, "", "{file}");
        assert!(!run.stderr.contains("os error"), "{file}: {}", run.stderr);
        report.push_str(&format!("$ peerings validate -f {file}\n{}\n", run.stderr));
    }
    insta::assert_snapshot!(report);
}

#[test]
fn a_file_that_is_not_utf8_is_a_problem_with_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        path_in(&dir, "latin1.toml"),
        b"[[peering]]\nname = \"caf\xe9 to aiven\"\n",
    )
    .unwrap();
    let run = validate(dir.path(), "latin1.toml");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("latin1.toml:2:12"), "{}", run.stderr);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn plan_out_never_replaces_the_desired_state_file_nor_any_other_file() {
    let sim = Sim::with_peerings("");
    let toml =
        format!("[[peering]]\nname = \"p\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n");
    let dir = project(&toml);
    std::fs::write(path_in(&dir, "notes.txt"), "keep me").unwrap();
    std::fs::create_dir(path_in(&dir, "sub")).unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &["plan", "--out", "peerings.toml"],
            "it is the desired-state file peerings.toml",
        ),
        (
            &[
                "-f",
                "sub/../peerings.toml",
                "plan",
                "--out",
                "./peerings.toml",
            ],
            "it is the desired-state file sub/../peerings.toml",
        ),
        (
            &["plan", "--out", "notes.txt"],
            "it exists and is not a plan file written by `peerings plan --out`",
        ),
        (&["plan", "--out", "sub"], "it is a directory"),
    ];
    for (args, why) in cases {
        let run = sim.run(dir.path(), args);
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        let out = args.last().unwrap();
        assert!(
            run.stderr.contains(&format!(
                "not writing the plan to {out}: {why}; nothing was read or written"
            )),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert_eq!(
        std::fs::read_to_string(path_in(&dir, "peerings.toml")).unwrap(),
        toml
    );
    assert_eq!(
        std::fs::read_to_string(path_in(&dir, "notes.txt")).unwrap(),
        "keep me"
    );
    assert!(sim.log().is_empty(), "refused before reading the account");
}

#[test]
fn plan_out_replaces_an_earlier_plan_whole_and_leaves_nothing_else() {
    let sim = Sim::with_peerings("");
    let dir = project(&format!(
        "[[peering]]\nname = \"p\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n"
    ));
    for _ in 0..2 {
        let run = sim.run(dir.path(), &["plan", "--out", "plan.json"]);
        assert_eq!(run.code, 0, "{run:?}");
    }
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["peerings.toml", "plan.json"]);
}

#[cfg(unix)]
#[test]
fn plan_out_and_import_never_write_through_a_link() {
    let sim = Sim::with_peerings("");
    let dir = project("");
    let link = path_in(&dir, "link");
    std::os::unix::fs::symlink("target", &link).unwrap();
    let commands: [&[&str]; 3] = [
        &["plan", "--out", "link"],
        &["import", "-o", "link"],
        &["import", "-o", "link", "--force"],
    ];
    for args in commands {
        let run = sim.run(dir.path(), args);
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        assert!(
            run.stderr
                .contains("it is a symbolic link, and peerings does not write through links"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!path_in(&dir, "target").exists(), "{args:?}");
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    }
    assert!(sim.log().is_empty(), "refused before reading the account");
}

#[test]
fn import_replaces_a_file_only_with_force() {
    let sim = Sim::with_peerings(&format!(
        "[[peering]]\naccount = \"team\"\nname = \"p\"\nnetwork = \"{APP}\"\npeer_network = \"{AIVEN}\"\n"
    ));
    let dir = project("# mine\n");
    let refused = sim.run(dir.path(), &["import", "-o", "peerings.toml"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stderr.contains(
            "not writing peerings.toml: it exists; nothing was written. Pass --force to replace it"
        ),
        "{}",
        refused.stderr
    );
    assert_eq!(
        std::fs::read_to_string(path_in(&dir, "peerings.toml")).unwrap(),
        "# mine\n"
    );
    let forced = sim.run(dir.path(), &["import", "-o", "peerings.toml", "--force"]);
    assert_eq!(forced.code, 0, "{forced:?}");
    assert!(
        forced.stderr.contains(&format!(
            "Next: peerings -f peerings.toml --api-url {} plan",
            sim.url()
        )),
        "{}",
        forced.stderr
    );
    let imported = std::fs::read_to_string(path_in(&dir, "peerings.toml")).unwrap();
    assert!(imported.contains("name = \"p\""), "{imported}");
}

#[test]
fn durations_that_cannot_work_are_refused_when_the_command_line_is_read() {
    let sim = Sim::with_peerings("");
    let dir = project("");
    let cases: [(&[&str], &str); 4] = [
        (
            &["plan", "--timeout", "0s"],
            "invalid value '0s' for '--timeout <DURATION>'",
        ),
        (
            &["apply", "--auto-approve", "--poll-interval", "0ms"],
            "invalid value '0ms' for '--poll-interval <DURATION>'",
        ),
        (
            &["apply", "--auto-approve", "--wait", "--wait-timeout", "0"],
            "invalid value '0' for '--wait-timeout <DURATION>'",
        ),
        (
            &["check", "--timeout", "0m"],
            "invalid value '0m' for '--timeout <DURATION>'",
        ),
    ];
    for (args, message) in cases {
        let run = sim.run(dir.path(), args);
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        assert!(
            run.stderr.contains(&format!(
                "{message}: it must be more than zero, such as 500ms, 30s or 5m"
            )),
            "{args:?}: {}",
            run.stderr
        );
    }
    let from_env = run_peerings(
        dir.path(),
        &["plan"],
        &[
            ("UPCLOUD_API_URL", &sim.url()),
            ("UPCLOUD_TOKEN", TEAM_TOKEN),
            ("PEERINGS_TIMEOUT", "0s"),
        ],
    );
    assert_eq!(from_env.code, 1, "{from_env:?}");
    assert!(
        from_env.stderr.contains("it must be more than zero"),
        "{}",
        from_env.stderr
    );
    assert!(sim.log().is_empty(), "nothing sent");
}
