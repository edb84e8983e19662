//! What is generated from the program itself: shell completions, the man pages and the file's
//! JSON Schema.
//!
//! `peerings man` prints one page that holds every command, so that it names no page that might
//! not exist; `peerings man --dir DIR` writes one page per command (`peerings.1`,
//! `peerings-plan.1`, `peerings-sim-serve.1`, ...), which name one another. Every page ends with
//! the exit codes.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;
use clap_mangen::Man;

use crate::cli::Cli;
use crate::config::schema;
use crate::exit::Exit;

pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<Exit> {
    let mut command = Cli::command();
    let name = command.get_name().to_owned();
    clap_complete::generate(shell, &mut command, name, &mut std::io::stdout().lock());
    Ok(Exit::Success)
}

pub fn man(dir: Option<&Path>) -> anyhow::Result<Exit> {
    match dir {
        None => all_in_one(&mut std::io::stdout().lock())?,
        Some(dir) => {
            fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the directory {}", dir.display()))?;
            for (file, page) in pages()? {
                let path = dir.join(file);
                fs::write(&path, page)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
    }
    Ok(Exit::Success)
}

pub fn schema() -> anyhow::Result<Exit> {
    std::io::stdout()
        .lock()
        .write_all(schema::render().as_bytes())?;
    Ok(Exit::Success)
}

/// The command line as the pages describe it: without `help`, which is not a command of its own.
fn described() -> clap::Command {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    command
}

/// Every command below `command`, depth first: `plan`, ..., `sim`, `sim serve`.
fn below(command: &clap::Command) -> Vec<clap::Command> {
    command
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .flat_map(|sub| std::iter::once(sub.clone()).chain(below(sub)))
        .collect()
}

/// The one page of `peerings man`: the program's sections, then each command's under a heading
/// of its own, then the exit codes.
fn all_in_one(out: &mut dyn Write) -> io::Result<()> {
    let command = described();
    let man = Man::new(command.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    for sub in below(&command) {
        let name = sub.get_display_name().unwrap_or(sub.get_name());
        writeln!(
            page,
            ".SH \"{}\"",
            escape(&name.replace('-', " ").to_uppercase())
        )?;
        let sub_man = Man::new(sub.clone());
        let mut sections = Vec::new();
        sub_man.render_synopsis_section(&mut sections)?;
        sub_man.render_description_section(&mut sections)?;
        if sub.get_arguments().any(|arg| !arg.is_hide_set()) {
            sub_man.render_options_section(&mut sections)?;
        }
        // Within a command's section, its own sections are subsections.
        let sections = String::from_utf8_lossy(&sections).replace(".SH ", ".SS ");
        page.extend_from_slice(sections.as_bytes());
    }
    exit_status(&mut page)?;
    out.write_all(without_repeated_preamble(&String::from_utf8_lossy(&page)).as_bytes())
}

/// Every section rendered alone starts with the lines that define `\*(Aq`; once is enough.
fn without_repeated_preamble(page: &str) -> String {
    let mut seen = std::collections::HashSet::new();
    let is_preamble = |line: &str| line.starts_with(".ie \\n(.g") || line.starts_with(".el .ds Aq");
    page.lines()
        .filter(|line| !is_preamble(line) || seen.insert(*line))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// `(file name, page)` for the program and every command.
fn pages() -> io::Result<Vec<(String, Vec<u8>)>> {
    let command = described();
    std::iter::once(command.clone())
        .chain(below(&command))
        .map(|command| {
            let man = Man::new(command);
            let mut page = Vec::new();
            man.render(&mut page)?;
            exit_status(&mut page)?;
            Ok((man.get_filename(), page))
        })
        .collect()
}

/// The exit codes, the same on every page.
fn exit_status(out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, ".SH \"EXIT STATUS\"")?;
    for exit in Exit::ALL {
        writeln!(out, ".TP\n{}\n{}", exit as u8, escape(exit.meaning()))?;
    }
    Ok(())
}

/// Text for roff: backslashes and hyphens escaped, and no line read as a request.
fn escape(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}
