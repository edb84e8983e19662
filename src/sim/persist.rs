//! The state file: the world as JSON, so a simulator can stop and start where it left off.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use anyhow::Context;

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
    let world: World = serde_json::from_str(&text).with_context(|| {
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
    Ok(Some(world))
}

/// Writes the world to a temporary file beside `path` and renames it over `path`, so the state
/// file is always either the old world or the new one, never half of either.
pub fn save(path: &Path, world: &World) -> io::Result<()> {
    let json = serde_json::to_vec_pretty(world).map_err(io::Error::other)?;
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::other("the state file path has no file name"))?;
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(file_name);
    temporary_name.push(".tmp");
    let temporary = path.with_file_name(temporary_name);
    let mut file = fs::File::create(&temporary)?;
    file.write_all(&json)?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    fs::rename(&temporary, path)
}
