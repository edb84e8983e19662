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

use tempfile::NamedTempFile;

use super::NotSaved;
use super::error::SimError;
use super::world::World;

const STATE_FILE: &str = "simulator state file";

/// What went wrong doing `action` to the state file at `path`.
fn file_error(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> SimError {
    move |source| SimError::File {
        action,
        what: STATE_FILE,
        path: path.to_owned(),
        source,
    }
}

/// The world in `path`, or `None` if there is no such file.
pub fn load(path: &Path) -> Result<Option<World>, SimError> {
    match fs::read_to_string(path) {
        Ok(text) => parse(&text, path).map(Some),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(file_error("read", path)(error)),
    }
}

fn parse(text: &str, path: &Path) -> Result<World, SimError> {
    let world: World = serde_json::from_str(text).map_err(|source| SimError::NotState {
        path: path.to_owned(),
        source,
    })?;
    world
        .validate()
        .map_err(|source| SimError::InconsistentState {
            path: path.to_owned(),
            source: Box::new(source),
        })?;
    Ok(world)
}

/// Creates the state file with `initial`, unless another simulator created it first; either
/// way returns the world the file holds.
pub fn create(path: &Path, initial: World) -> Result<World, SimError> {
    let temporary = write_temporary(path, &initial).map_err(file_error("create", path))?;
    match temporary.persist_noclobber(path) {
        Ok(_) => Ok(initial),
        Err(error) if error.error.kind() == io::ErrorKind::AlreadyExists => {
            load(path)?.ok_or_else(|| SimError::Vanished(path.to_owned()))
        }
        Err(error) => Err(file_error("create", path)(error.error)),
    }
}

/// Reads the world from the file, lets `change` modify it and writes it back, all under the
/// file's exclusive lock. Returns the answer and the world as saved. A refused change writes
/// nothing.
pub fn update<T, E: From<NotSaved>>(
    path: &Path,
    change: impl FnOnce(&mut World) -> Result<T, E>,
) -> Result<(T, World), E> {
    let not_saved = |error: SimError| E::from(NotSaved(error.with_causes()));
    let failed = |action| move |error| not_saved(file_error(action, path)(error));
    loop {
        let file = File::open(path).map_err(failed("open"))?;
        let mut lock = fd_lock::RwLock::new(file);
        let guard = lock.write().map_err(failed("lock"))?;
        // A writer that held the lock meanwhile replaced the file: lock the new one.
        if !is_file_at(&guard, path).map_err(failed("look at"))? {
            continue;
        }
        let mut text = String::new();
        (&*guard)
            .read_to_string(&mut text)
            .map_err(failed("read"))?;
        let mut world = parse(&text, path).map_err(not_saved)?;
        let answer = change(&mut world)?;
        save(path, &world).map_err(failed("write"))?;
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
