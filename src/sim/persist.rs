//! The state file: the world as JSON, so a simulator can stop and start where it left off, and
//! several simulators (in one process or several) can share one world.
//!
//! Every change is a read-modify-write of the file under an exclusive lock (`flock` through
//! `fd-lock`), so two processes never both write a world in which the other's change is
//! missing. The file is replaced by a rename from a uniquely named temporary file beside it:
//! a reader sees the old world or the new one, never half of either, and needs no lock. The
//! lock is held on the state file itself; since a save replaces that file, a writer that waited
//! for the lock checks that the file it locked is still the one at the path, and otherwise
//! locks the new one.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::Path;

use anyhow::Context;
use tempfile::NamedTempFile;

use super::errors::ErrorAnswer;
use super::world::World;

/// The world in `path`, or `None` if there is no such file.
pub fn load(path: &Path) -> anyhow::Result<Option<World>> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            return Err(error).with_context(|| {
                format!("cannot read the simulator state file {}", path.display())
            });
        }
    };
    parse(&text, path).map(Some)
}

fn parse(text: &str, path: &Path) -> anyhow::Result<World> {
    let world: World = serde_json::from_str(text).with_context(|| {
        format!(
            "the simulator state file {} is not a simulator state",
            path.display()
        )
    })?;
    world.validate().with_context(|| {
        format!(
            "the simulator state file {} holds an inconsistent world",
            path.display()
        )
    })?;
    Ok(world)
}

/// Creates the state file with `initial`, unless another simulator created it first; either
/// way returns the world the file holds.
pub fn create(path: &Path, initial: World) -> anyhow::Result<World> {
    let cannot_create = || format!("cannot create the simulator state file {}", path.display());
    let temporary = write_temporary(path, &initial).with_context(cannot_create)?;
    match temporary.persist_noclobber(path) {
        Ok(_) => Ok(initial),
        Err(error) if error.error.kind() == io::ErrorKind::AlreadyExists => {
            load(path)?.with_context(|| format!("{} vanished while it was read", path.display()))
        }
        Err(error) => Err(error.error).with_context(cannot_create),
    }
}

/// Reads the world from the file, lets `change` modify it and writes it back, all under the
/// file's exclusive lock. Returns the answer and the world as saved. A refused change writes
/// nothing.
pub fn update<T>(
    path: &Path,
    change: impl FnOnce(&mut World) -> Result<T, ErrorAnswer>,
) -> Result<(T, World), ErrorAnswer> {
    let not_saved = |error: anyhow::Error| ErrorAnswer::StateNotSaved(format!("{error:#}"));
    let describe =
        |what: &str| format!("cannot {what} the simulator state file {}", path.display());
    loop {
        let file = File::open(path)
            .with_context(|| describe("open"))
            .map_err(not_saved)?;
        let mut lock = fd_lock::RwLock::new(file);
        let guard = lock
            .write()
            .with_context(|| describe("lock"))
            .map_err(not_saved)?;
        // A writer that held the lock meanwhile replaced the file: lock the new one.
        if !is_file_at(&guard, path)
            .with_context(|| describe("look at"))
            .map_err(not_saved)?
        {
            continue;
        }
        let mut text = String::new();
        (&*guard)
            .read_to_string(&mut text)
            .with_context(|| describe("read"))
            .map_err(not_saved)?;
        let mut world = parse(&text, path).map_err(not_saved)?;
        let answer = change(&mut world)?;
        save(path, &world)
            .with_context(|| describe("write"))
            .map_err(not_saved)?;
        return Ok((answer, world));
    }
}

#[cfg(unix)]
fn is_file_at(file: &File, path: &Path) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let (locked, now) = (file.metadata()?, fs::metadata(path)?);
    Ok((locked.dev(), locked.ino()) == (now.dev(), now.ino()))
}

/// Elsewhere an open file cannot be replaced by a rename, so the locked file is the current one.
#[cfg(not(unix))]
fn is_file_at(_file: &File, _path: &Path) -> io::Result<bool> {
    Ok(true)
}

/// Writes the world to a temporary file beside `path` and renames it over `path`.
pub fn save(path: &Path, world: &World) -> io::Result<()> {
    write_temporary(path, world)?
        .persist(path)
        .map(drop)
        .map_err(|error| error.error)
}

/// The world in a new, uniquely named file beside `path` (removed again if it is dropped).
fn write_temporary(path: &Path, world: &World) -> io::Result<NamedTempFile> {
    let json = serde_json::to_vec_pretty(world).map_err(io::Error::other)?;
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::other("the state file path has no file name"))?;
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(file_name);
    prefix.push(".");
    let mut temporary = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(folder)?;
    temporary.write_all(&json)?;
    temporary.write_all(b"\n")?;
    temporary.as_file().sync_all()?;
    Ok(temporary)
}
