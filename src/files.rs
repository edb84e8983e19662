//! The files a person names on the command line: the desired-state file, plan files, and the
//! files `plan --out` and `import -o` write.
//!
//! - Reading accepts only a regular file of at most [`MAX_FILE_BYTES`]: a directory, a named pipe
//!   or a device (`-f /dev/zero`) is refused at once with one message that says which, instead of
//!   blocking or growing without end. Content read from a pipe could also differ between a plan
//!   and its apply, and an empty read would be an empty desired state.
//! - Writing never goes through a symbolic link and never leaves half a file: the content goes to
//!   a temporary file in the same folder, which is then renamed over the target in one step.

use std::fs::{File, Metadata, Permissions};
use std::io::{self, Read, Write};
use std::path::Path;

/// The largest file read: far beyond any real desired-state or plan file.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why a file could not be read. Each says its cause once; callers add the file's name and the
/// help that fits what the file is for.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("there is no such file")]
    NotFound,
    #[error("permission denied")]
    PermissionDenied,
    #[error("it is a directory, not a file")]
    Directory,
    /// A named pipe, a device or a socket; the text says which, with its article.
    #[error("it is {0}, not a regular file")]
    NotRegular(&'static str),
    #[error("it is larger than {} MiB", MAX_FILE_BYTES / 1024 / 1024)]
    TooLarge,
    /// Any other failure, as the operating system words it.
    #[error("{0}")]
    Other(io::Error),
}

impl From<io::Error> for ReadError {
    fn from(error: io::Error) -> Self {
        match error.kind() {
            io::ErrorKind::NotFound => ReadError::NotFound,
            io::ErrorKind::PermissionDenied => ReadError::PermissionDenied,
            _ => ReadError::Other(error),
        }
    }
}

/// The bytes of the regular file at `path` (a symbolic link to one is fine).
pub fn read(path: &Path) -> Result<Vec<u8>, ReadError> {
    let file = open_for_reading(path)?;
    check_regular(&file.metadata()?)?;
    let mut bytes = Vec::new();
    // One byte more than allowed tells a file at the limit from one beyond it, even if it grows
    // while being read.
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

/// Opening a named pipe for reading waits for a writer; without blocking, the check that follows
/// refuses it at once.
fn open_for_reading(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

fn check_regular(metadata: &Metadata) -> Result<(), ReadError> {
    if metadata.is_dir() {
        return Err(ReadError::Directory);
    }
    if !metadata.is_file() {
        return Err(ReadError::NotRegular(special_kind(metadata)));
    }
    Ok(())
}

/// What a file that is neither a regular file nor a directory is, in words.
fn special_kind(metadata: &Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let kind = metadata.file_type();
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    let _ = metadata;
    "a special file"
}

/// Why a file was not written. Nothing was written in any case.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("it is a symbolic link, and peerings does not write through links")]
    Symlink,
    #[error("it is a directory")]
    Directory,
    #[error("it is {0}, not a regular file")]
    NotRegular(&'static str),
    #[error("it exists")]
    Exists,
    #[error("{0}")]
    Other(io::Error),
}

/// Whether an existing file at the target may be replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    Replace,
    Keep,
}

/// What is at `path` now, if anything: `None` when nothing is, and an error when the path cannot
/// be written as [`write`] would (a link, a directory, a special file, or an existing file that
/// is to be kept). Checking before the work starts lets a command refuse before it reads any
/// account.
pub fn check_target(path: &Path, existing: Existing) -> Result<Option<Metadata>, WriteError> {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(WriteError::Other(error)),
    };
    let kind = metadata.file_type();
    if kind.is_symlink() {
        return Err(WriteError::Symlink);
    }
    if kind.is_dir() {
        return Err(WriteError::Directory);
    }
    if !kind.is_file() {
        return Err(WriteError::NotRegular(special_kind(&metadata)));
    }
    if existing == Existing::Keep {
        return Err(WriteError::Exists);
    }
    Ok(Some(metadata))
}

/// Writes `contents` to `path` as a whole: to a temporary file in the same folder, then renamed
/// over `path`. A file that is replaced keeps its permissions; a new one gets the usual ones
/// (read and write for all, less the umask). With [`Existing::Keep`], a file that appears at
/// `path` meanwhile is not replaced either.
pub fn write(path: &Path, contents: &[u8], existing: Existing) -> Result<(), WriteError> {
    let replaced = check_target(path, existing)?;
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".peerings-").suffix(".tmp");
    if let Some(permissions) = permissions(replaced.as_ref()) {
        builder.permissions(permissions);
    }
    let mut temporary = builder.tempfile_in(folder).map_err(WriteError::Other)?;
    temporary
        .write_all(contents)
        .and_then(|()| temporary.as_file().sync_all())
        .map_err(WriteError::Other)?;
    let persisted = match existing {
        Existing::Replace => temporary.persist(path),
        Existing::Keep => temporary.persist_noclobber(path),
    };
    persisted
        .map(drop)
        .map_err(|error| match error.error.kind() {
            io::ErrorKind::AlreadyExists => WriteError::Exists,
            _ => WriteError::Other(error.error),
        })
}

/// A replaced file keeps its permissions; a new one gets read and write for all, less the umask
/// (as any program's new file does). `None`: the temporary file's own.
fn permissions(replaced: Option<&Metadata>) -> Option<Permissions> {
    if let Some(metadata) = replaced {
        return Some(metadata.permissions());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(Permissions::from_mode(0o666))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Whether `a` and `b` name one file (also through another path or a hard link). False when
/// either does not exist.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_regular_file_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("at-limit");
        let file = File::create(&path).unwrap();
        file.set_len(MAX_FILE_BYTES).unwrap();
        assert_eq!(read(&path).unwrap().len() as u64, MAX_FILE_BYTES);
        file.set_len(MAX_FILE_BYTES + 1).unwrap();
        assert!(matches!(read(&path), Err(ReadError::TooLarge)));
    }

    #[test]
    fn each_cause_is_told_once() {
        let dir = tempfile::tempdir().unwrap();
        let missing = read(&dir.path().join("missing")).unwrap_err();
        assert_eq!(missing.to_string(), "there is no such file");
        let directory = read(dir.path()).unwrap_err();
        assert_eq!(directory.to_string(), "it is a directory, not a file");
        assert!(std::error::Error::source(&directory).is_none());
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
        assert_eq!(
            read(&fifo).unwrap_err().to_string(),
            "it is a named pipe (FIFO), not a regular file"
        );
        assert_eq!(
            read(Path::new("/dev/zero")).unwrap_err().to_string(),
            "it is a character device, not a regular file"
        );
    }

    #[test]
    fn writes_replace_the_whole_file_and_leave_no_temporary_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write(&path, b"first", Existing::Keep).unwrap();
        assert!(matches!(
            write(&path, b"second", Existing::Keep),
            Err(WriteError::Exists)
        ));
        write(&path, b"third", Existing::Replace).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"third");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn writes_never_go_through_a_link_even_a_dangling_one() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        for existing in [Existing::Keep, Existing::Replace] {
            assert!(matches!(
                write(&link, b"x", existing),
                Err(WriteError::Symlink)
            ));
        }
        assert!(!target.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
        write(&path, b"new", Existing::Replace).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }

    #[test]
    fn the_same_file_under_two_names() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.toml");
        std::fs::write(&path, "").unwrap();
        let other = dir.path().join(".").join("a.toml");
        assert!(same_file(&path, &other));
        assert!(!same_file(&path, &dir.path().join("b.toml")));
    }
}
