//! What is generated from the program itself: shell completions, the man page and the file's
//! JSON Schema, all written to stdout.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::config::schema;
use crate::exit::Exit;

pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<Exit> {
    let mut command = Cli::command();
    let name = command.get_name().to_owned();
    clap_complete::generate(shell, &mut command, name, &mut std::io::stdout().lock());
    Ok(Exit::Success)
}

pub fn man() -> anyhow::Result<Exit> {
    clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout().lock())?;
    Ok(Exit::Success)
}

pub fn schema() -> anyhow::Result<Exit> {
    std::io::stdout()
        .lock()
        .write_all(schema::render().as_bytes())?;
    Ok(Exit::Success)
}
