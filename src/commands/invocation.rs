//! "Run this next": the command lines that messages suggest.
//!
//! A suggestion must act on what this run acted on. A bare `peerings apply --plan plan.json`
//! after `peerings -f legacy.toml --api-url URL plan --out plan.json` would read another file
//! from another API. So every suggested command line is built here, from this run's own
//! invocation: the options that decide what a command acts on (`-f`, `--api-url`, and the
//! request settings `--timeout` and `--max-retries`) are repeated as the user gave them, on the
//! command line or through their environment variables, and every word is shell-quoted.
//!
//! ```text
//! let next = invocation.command(["apply", "--plan", "plan.json"]);
//! // peerings -f 'team a.toml' --api-url sim:demo.json apply --plan plan.json
//! ```

use std::ffi::{OsStr, OsString};
use std::path::Path;

use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory};

use crate::cli::Cli;

use crate::http::without_userinfo;

/// The options a suggestion repeats: clap's id for each, and the flag that sets it.
const REPEATED: [(&str, &str); 5] = [
    ("file", "-f"),
    ("api_url", "--api-url"),
    ("aiven_api_url", "--aiven-api-url"),
    ("timeout", "--timeout"),
    ("max_retries", "--max-retries"),
];

/// The options of this run that a suggested command repeats, as they were given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invocation {
    /// Flag and value, in the order of [`REPEATED`].
    options: Vec<(&'static str, OsString)>,
}

/// Whether the subcommand `name` takes the option `flag`: a suggestion repeats only what the
/// suggested command acts on (`import` reads no file, `validate` no API).
fn takes(name: &str, flag: &str) -> bool {
    let id = REPEATED
        .iter()
        .find(|(_, repeated)| *repeated == flag)
        .map(|(id, _)| *id);
    let command = Cli::command();
    command.find_subcommand(name).is_none_or(|subcommand| {
        subcommand
            .get_arguments()
            .any(|arg| Some(arg.get_id().as_str()) == id)
    })
}

impl Invocation {
    /// The repeated options among those parsed: any the user gave, on the command line or in the
    /// environment; not those left at their defaults. Looks in the subcommands too, wherever an
    /// option is defined.
    pub fn from_matches(matches: &ArgMatches) -> Invocation {
        let options = REPEATED
            .iter()
            .filter_map(|&(id, flag)| Some((flag, given(matches, id)?)))
            .map(|(flag, value)| match flag {
                // The client refuses a URL with credentials in it; output never shows them.
                "--api-url" | "--aiven-api-url" => {
                    (flag, without_userinfo(&value.to_string_lossy()).into())
                }
                _ => (flag, value),
            })
            .collect();
        Invocation { options }
    }

    /// The same invocation, acting on another desired-state file (such as the one `import` just
    /// wrote).
    pub fn with_file(&self, path: &Path) -> Invocation {
        let mut options: Vec<(&'static str, OsString)> = self
            .options
            .iter()
            .filter(|(flag, _)| *flag != "-f")
            .cloned()
            .collect();
        options.insert(0, ("-f", path.as_os_str().to_owned()));
        Invocation { options }
    }

    /// `peerings`, this run's options that the subcommand acts on, then `args` (the subcommand
    /// and its arguments): one line to paste into a shell.
    pub fn command<I>(&self, args: I) -> String
    where
        I: IntoIterator,
        I::Item: AsRef<OsStr>,
    {
        let args: Vec<String> = args
            .into_iter()
            .map(|arg| shell_quote(arg.as_ref()))
            .collect();
        let subcommand = args.first().map_or("", String::as_str);
        let mut words = vec!["peerings".to_owned()];
        for (flag, value) in &self.options {
            if takes(subcommand, flag) {
                words.push((*flag).to_owned());
                words.push(shell_quote(value));
            }
        }
        words.extend(args);
        words.join(" ")
    }
}

/// The raw value of option `id` if the user gave it, as the command runs with it: on the command
/// line after the subcommand, else before it, else through its environment variable.
fn given(matches: &ArgMatches, id: &str) -> Option<OsString> {
    // Root first, the subcommand (and its own subcommand) after.
    let levels: Vec<&ArgMatches> = std::iter::successors(Some(matches), |level| {
        level.subcommand().map(|(_, sub)| sub)
    })
    .collect();
    let from = |source: ValueSource| {
        levels.iter().rev().find_map(|level| {
            // An id this command does not define is an error, not a panic, with `try_get_raw`.
            let mut values = level.try_get_raw(id).ok().flatten()?;
            (level.value_source(id) == Some(source))
                .then(|| values.next().map(OsStr::to_owned))
                .flatten()
        })
    };
    from(ValueSource::CommandLine).or_else(|| from(ValueSource::EnvVariable))
}

/// `word` as a POSIX shell reads it back: bare when no character in it means anything to a
/// shell, else in single quotes (a quote inside written `'\''`). Bytes that are not UTF-8 are
/// shown as U+FFFD: such a word cannot be pasted back anyway.
pub fn shell_quote(word: &OsStr) -> String {
    let word = word.to_string_lossy();
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        return word.into_owned();
    }
    format!("'{}'", word.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, FromArgMatches};

    use super::*;
    use crate::cli::Cli;

    /// The environment is left out, so that a developer's own variables cannot change the
    /// outcome; options given through it are tested on the binary.
    fn invocation(args: &[&str]) -> Invocation {
        fn without_env(command: clap::Command) -> clap::Command {
            command
                .mut_args(|arg| arg.env(None))
                .mut_subcommands(without_env)
        }
        let matches = without_env(Cli::command())
            .try_get_matches_from(std::iter::once("peerings").chain(args.iter().copied()))
            .expect("valid arguments");
        Cli::from_arg_matches(&matches).expect("a command line");
        Invocation::from_matches(&matches)
    }

    #[test]
    fn repeats_the_options_given_before_or_after_the_subcommand() {
        let given = invocation(&[
            "-f",
            "team a.toml",
            "plan",
            "--api-url",
            "sim:demo.json",
            "--out",
            "plan.json",
        ]);
        assert_eq!(
            given.command(["apply", "--plan", "plan.json"]),
            "peerings -f 'team a.toml' --api-url sim:demo.json apply --plan plan.json"
        );
    }

    #[test]
    fn only_the_options_the_suggested_command_acts_on_are_repeated() {
        let given = invocation(&["-f", "team.toml", "--api-url", "sim:s.json", "plan"]);
        assert_eq!(
            given.command(["import", "-o", "team.toml"]),
            "peerings --api-url sim:s.json import -o team.toml"
        );
        assert_eq!(
            given.command(["validate"]),
            "peerings -f team.toml validate"
        );
    }

    #[test]
    fn after_the_subcommand_wins_over_before_it() {
        let given = invocation(&["-f", "before.toml", "check", "-f", "after.toml"]);
        assert_eq!(given.command(["plan"]), "peerings -f after.toml plan");
    }

    #[test]
    fn leaves_out_what_was_left_at_its_default() {
        let given = invocation(&["plan", "--timeout", "5s"]);
        assert_eq!(
            given.command(["check"]),
            "peerings --timeout 5s check",
            "no -f, --api-url or --max-retries"
        );
        assert_eq!(Invocation::default().command(["plan"]), "peerings plan");
    }

    #[test]
    fn credentials_in_an_api_url_are_never_shown() {
        let given = invocation(&["--api-url", "https://user:secret@api.example", "plan"]);
        assert_eq!(
            given.command(["plan"]),
            "peerings --api-url 'https://[redacted]@api.example' plan"
        );
    }

    #[test]
    fn another_file_replaces_the_one_given() {
        let given = invocation(&["-f", "old.toml", "import", "-o", "new.toml"]);
        assert_eq!(
            given.with_file(Path::new("new.toml")).command(["plan"]),
            "peerings -f new.toml plan"
        );
    }

    #[test]
    fn words_a_shell_would_split_or_expand_are_quoted() {
        let quote = |word: &str| shell_quote(OsStr::new(word));
        assert_eq!(quote("plan.json"), "plan.json");
        assert_eq!(quote("sim:./state.json"), "sim:./state.json");
        assert_eq!(quote("my plan.json"), "'my plan.json'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("$HOME"), "'$HOME'");
        assert_eq!(quote("a;b"), "'a;b'");
        assert_eq!(quote("*.toml"), "'*.toml'");
        assert_eq!(quote(""), "''");
    }
}
