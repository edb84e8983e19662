//! The command line itself: which options each command shows and takes, environment variables,
//! and the man pages. The built binary, as a person or a script runs it.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::{project, run_peerings};

/// The options that name the file and the API: shown only by the commands that use them.
const FILE_AND_API: [&str; 4] = ["--file", "--api-url", "--timeout", "--max-retries"];

/// The short help (`-h`): one entry an option, with its heading.
fn help(args: &[&str]) -> String {
    let dir = tempfile::tempdir().expect("a directory");
    let mut args = args.to_vec();
    args.push("-h");
    let run = run_peerings(dir.path(), &args, &[]);
    assert_eq!(run.code, 0, "{args:?}: {run:?}");
    run.stdout
}

#[test]
fn each_option_shows_only_under_the_commands_it_acts_on() {
    for command in [
        &["completions"][..],
        &["man"],
        &["schema"],
        &["sim", "serve"],
    ] {
        let text = help(command);
        for option in FILE_AND_API {
            assert!(
                !text.contains(option),
                "{command:?} shows {option}:\n{text}"
            );
        }
    }
    let validate = help(&["validate"]);
    assert!(validate.contains("--file"), "{validate}");
    for option in ["--api-url", "--timeout", "--max-retries"] {
        assert!(!validate.contains(option), "validate shows {option}");
    }
    let import = help(&["import"]);
    assert!(!import.contains("--file"), "{import}");
    for command in ["plan", "apply", "check", "graph"] {
        let text = help(&[command]);
        for option in FILE_AND_API {
            assert!(text.contains(option), "{command} lacks {option}:\n{text}");
        }
    }
}

#[test]
fn apply_groups_its_own_options_apart_from_the_file_and_the_api() {
    let text = help(&["apply"]);
    let section = |heading: &str| -> String {
        let start = text
            .find(&format!("\n{heading}:\n"))
            .unwrap_or_else(|| panic!("no {heading} heading:\n{text}"));
        let rest = &text[start + heading.len() + 3..];
        rest[..rest.find("\n\n").unwrap_or(rest.len())].to_owned()
    };
    let own = section("Options");
    for option in [
        "--auto-approve",
        "--plan",
        "--force",
        "--wait",
        "--parallelism",
    ] {
        assert!(own.contains(option), "{option} not under Options:\n{own}");
    }
    for option in FILE_AND_API {
        assert!(!own.contains(option), "{option} under Options:\n{own}");
    }
    assert!(section("Desired state").contains("--file"));
    let api = section("API");
    for option in ["--api-url", "--timeout", "--max-retries"] {
        assert!(api.contains(option), "{option} not under API:\n{api}");
    }
    assert!(!api.contains("--auto-approve"), "{api}");
}

#[test]
fn sim_serve_shows_its_defaults() {
    let text = help(&["sim", "serve"]);
    let entries = option_entries(&text);
    for flag in [
        "--listen",
        "--latency-ms",
        "--retry-after-s",
        "--slow-body-ms",
        "--rate-429",
        "--seed",
    ] {
        let entry = entries
            .iter()
            .find(|entry| entry.contains(&format!("{flag} ")))
            .unwrap_or_else(|| panic!("{flag} missing:\n{text}"));
        assert!(
            entry.contains("[default: "),
            "{flag} has no default: {entry}"
        );
    }
    assert!(text.contains("[default: 127.0.0.1:8080]"), "{text}");
}

/// Each option's entry of a short help, its wrapped lines joined.
fn option_entries(help: &str) -> Vec<String> {
    let mut entries: Vec<String> = Vec::new();
    for line in help.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with('-') && indent <= 6 {
            entries.push(trimmed.to_owned());
        } else if let Some(last) = entries.last_mut().filter(|_| indent > 6) {
            last.push(' ');
            last.push_str(trimmed);
        }
    }
    entries
}

#[test]
fn sim_serve_listens_on_a_host_name() {
    let dir = tempfile::tempdir().expect("a directory");
    let mut child = Command::new(env!("CARGO_BIN_EXE_peerings"))
        .current_dir(dir.path())
        .args(["sim", "serve", "--listen", "localhost:0"])
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut first = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("a line");
    let _ = child.kill();
    let status = child.wait().expect("the child ends");
    assert!(
        first.starts_with("listening on http://") && !first.ends_with(":0\n"),
        "{first:?} (exit {status})"
    );
}

#[test]
fn the_file_and_api_options_work_before_or_after_the_command() {
    let file = "[networks]\napp = \"03126dc1-a69f-4bc2-8b24-e31c22d64712\"\n";
    let dir = project("");
    std::fs::write(dir.path().join("other.toml"), file).expect("write");
    for args in [
        &["-f", "other.toml", "validate"][..],
        &["validate", "-f", "other.toml"],
        &["--file", "other.toml", "validate"],
    ] {
        let run = run_peerings(dir.path(), args, &[]);
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
        assert!(
            run.stdout.starts_with("other.toml is valid"),
            "{args:?}: {run:?}"
        );
    }
    // After the command, the later word wins; before it, the command line wins over the
    // environment.
    let run = run_peerings(
        dir.path(),
        &["-f", "missing.toml", "validate", "-f", "other.toml"],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let run = run_peerings(
        dir.path(),
        &["-f", "other.toml", "validate"],
        &[("PEERINGS_FILE", "missing.toml")],
    );
    assert_eq!(run.code, 0, "{run:?}");
    for args in [
        &["--timeout", "0s", "plan"][..],
        &["plan", "--timeout", "0s"],
        &["--max-retries", "x", "check"],
        &["check", "--max-retries", "x"],
    ] {
        let run = run_peerings(dir.path(), args, &[]);
        assert_eq!(run.code, 1, "{args:?} is read, and refused: {run:?}");
        assert!(run.stderr.contains("invalid value"), "{args:?}: {run:?}");
    }
}

#[test]
fn an_environment_value_for_an_option_a_command_does_not_use_cannot_break_it() {
    let dir = project("");
    let broken = [
        ("PEERINGS_TIMEOUT", "abc"),
        ("PEERINGS_MAX_RETRIES", "many"),
    ];
    for args in [
        &["man"][..],
        &["schema"],
        &["completions", "bash"],
        &["validate"],
        &["sim", "serve", "--help"],
    ] {
        let run = run_peerings(dir.path(), args, &broken);
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
    }
    // A command that uses the option still refuses the value, naming the variable.
    let run = run_peerings(dir.path(), &["plan"], &broken);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("abc") || run.stderr.contains("many"),
        "{run:?}"
    );
}

/// Every command, as `peerings --help` lists them (`help` aside), with `sim`'s own.
fn commands() -> Vec<Vec<String>> {
    let root = help(&[]);
    let listed = root
        .split("Commands:\n")
        .nth(1)
        .expect("a Commands section")
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .filter(|line| line.starts_with("  ") && !line.starts_with("   "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect::<Vec<_>>();
    assert!(listed.len() >= 9, "{root}");
    let mut commands: Vec<Vec<String>> = listed.iter().map(|name| vec![name.clone()]).collect();
    commands.push(vec!["sim".into(), "serve".into()]);
    commands
}

/// A long option as roff writes it: `\-\-api\-url`.
fn in_roff(option: &str) -> String {
    option.replace('-', "\\-")
}

/// The long options a command's help lists.
fn long_options(command: &[String]) -> Vec<String> {
    let args: Vec<&str> = command.iter().map(String::as_str).collect();
    option_entries(&help(&args))
        .iter()
        .filter_map(|entry| {
            entry
                .split([' ', ','])
                .find(|word| word.starts_with("--"))
                .map(|word| word.trim_end_matches("...").to_owned())
        })
        .collect()
}

#[test]
fn the_man_page_holds_every_command_and_flag_and_names_no_other_page() {
    let dir = tempfile::tempdir().expect("a directory");
    let run = run_peerings(dir.path(), &["man"], &[]);
    assert_eq!(run.code, 0, "{run:?}");
    let page = run.stdout;
    assert!(
        !page.contains("(1)"),
        "names another page:\n{}",
        page.lines()
            .filter(|l| l.contains("(1)"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    for command in commands() {
        let heading = format!(".SH \"PEERINGS {}\"", command.join(" ").to_uppercase());
        let start = page
            .find(&heading)
            .unwrap_or_else(|| panic!("no section {heading}"));
        let section = &page[start..];
        let section = &section[..section[1..]
            .find("\n.SH ")
            .map_or(section.len(), |end| end + 1)];
        for option in long_options(&command) {
            assert!(
                section.contains(&in_roff(&option)),
                "{command:?}: {option} is not in its section"
            );
        }
    }
    assert_exit_status(&page, "peerings man");
}

#[test]
fn man_dir_writes_a_page_per_command_and_every_page_it_names() {
    let dir = tempfile::tempdir().expect("a directory");
    let pages = dir.path().join("man1");
    let run = run_peerings(
        dir.path(),
        &["man", "--dir", pages.to_str().expect("UTF-8")],
        &[],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let mut expected = vec!["peerings.1".to_owned()];
    expected.extend(
        commands()
            .iter()
            .map(|c| format!("peerings-{}.1", c.join("-"))),
    );
    for file in &expected {
        let page = std::fs::read_to_string(pages.join(file))
            .unwrap_or_else(|_| panic!("{file} was not written"));
        assert_exit_status(&page, file);
        for named in page
            .split(|c: char| c.is_whitespace())
            .filter_map(|word| word.strip_suffix("(1)"))
        {
            let named = format!("{}.1", named.replace("\\-", "-"));
            assert!(
                pages.join(&named).exists(),
                "{file} names {named}, not written"
            );
        }
    }
    for command in commands() {
        let file = format!("peerings-{}.1", command.join("-"));
        let page = std::fs::read_to_string(pages.join(&file)).expect("written");
        for option in long_options(&command) {
            assert!(page.contains(&in_roff(&option)), "{file}: no {option}");
        }
    }
}

fn assert_exit_status(page: &str, which: &str) {
    let status = page
        .split(".SH \"EXIT STATUS\"")
        .nth(1)
        .unwrap_or_else(|| panic!("{which}: no EXIT STATUS"));
    for code in ["0", "1", "2", "3", "130"] {
        assert!(
            status.contains(&format!(".TP\n{code}\n")),
            "{which}: exit code {code} missing"
        );
    }
}

#[test]
fn log_lines_carry_no_colour_into_a_pipe() {
    let dir = project(include_str!("../peerings.toml.example"));
    for (args, env) in [
        (&["-vv", "--api-url", "sim:state.json", "plan"][..], &[][..]),
        (
            &["--api-url", "sim:state.json", "plan"][..],
            &[("RUST_LOG", "debug")][..],
        ),
    ] {
        let output = common::peerings_command(dir.path(), args, env)
            .env_remove("NO_COLOR")
            .output()
            .expect("the binary runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{args:?}: {stderr}");
        assert!(
            stderr.contains("GET "),
            "{args:?}: requests are logged: {stderr}"
        );
        assert!(
            !stderr.contains('\u{1b}'),
            "{args:?}: colour codes: {stderr:?}"
        );
    }
}

#[test]
fn suggested_commands_repeat_the_file_and_api_the_run_acted_on() {
    let dir = project("");
    std::fs::write(
        dir.path().join("legacy.toml"),
        include_str!("../peerings.toml.example"),
    )
    .expect("write");
    let state = "sim:state.json";
    let check = run_peerings(
        dir.path(),
        &["-f", "legacy.toml", "check", "--api-url", state],
        &[],
    );
    assert_eq!(check.code, 2, "{check:?}");
    assert!(
        check.stdout.contains(
            "Run `peerings -f legacy.toml --api-url sim:state.json plan` to see them, \
             `peerings -f legacy.toml --api-url sim:state.json apply` to make them."
        ),
        "{}",
        check.stdout
    );
    let markdown = run_peerings(
        dir.path(),
        &[
            "-f",
            "legacy.toml",
            "--api-url",
            state,
            "check",
            "--output",
            "markdown",
        ],
        &[],
    );
    assert!(
        markdown
            .stdout
            .contains("Run `peerings -f legacy.toml --api-url sim:state.json plan` to see them"),
        "{}",
        markdown.stdout
    );
    let missing = run_peerings(
        dir.path(),
        &["-f", "missing.toml", "--api-url", state, "plan"],
        &[],
    );
    assert_eq!(missing.code, 1, "{missing:?}");
    assert!(
        missing
            .stderr
            .contains("write one with `peerings --api-url sim:state.json import -o missing.toml`"),
        "import takes no -f, but the API: {}",
        missing.stderr
    );
}
