//! The binary as a running process: its output read as it comes, signals sent to it, and how
//! long it took to end after them.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::FromRawFd;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Run, peerings_command};

/// How long a test waits for something it expects before it fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub struct Running {
    child: Child,
    stdout: Arc<Mutex<String>>,
    /// Or, for a run on a terminal, everything the terminal showed.
    stderr: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
    /// For a run on a terminal: the terminal's keyboard.
    keyboard: Option<File>,
}

impl Running {
    /// Starts `peerings` as `run_peerings` runs it.
    pub fn start(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Running {
        let mut command = peerings_command(dir, args, env);
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().expect("the peerings binary starts");
        let (stdout, stdout_reader) = collect(child.stdout.take().expect("piped stdout"));
        let (stderr, stderr_reader) = collect(child.stderr.take().expect("piped stderr"));
        Running {
            child,
            stdout,
            stderr,
            readers: vec![stdout_reader, stderr_reader],
            keyboard: None,
        }
    }

    /// Starts `peerings` with its stdin and stderr on a new pseudo-terminal, as a person at a
    /// terminal runs it; stdout is piped. `stderr()` is what the terminal shows.
    pub fn start_on_terminal(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Running {
        let (terminal, keyboard, screen) = pseudo_terminal();
        let mut command = peerings_command(dir, args, env);
        command
            .stdout(Stdio::piped())
            .stdin(Stdio::from(terminal.try_clone().expect("dup")))
            .stderr(Stdio::from(terminal));
        let mut child = command.spawn().expect("the peerings binary starts");
        // The command kept the last copies of the terminal's end: once the child is gone, the
        // screen reads as closed.
        drop(command);
        let (stdout, stdout_reader) = collect(child.stdout.take().expect("piped stdout"));
        let (shown, screen_reader) = collect(screen);
        Running {
            child,
            stdout,
            stderr: shown,
            readers: vec![stdout_reader, screen_reader],
            keyboard: Some(keyboard),
        }
    }

    /// Types `keys` on the terminal of a run started with [`Running::start_on_terminal`]:
    /// `b"\x04"` is Ctrl-D.
    pub fn type_keys(&self, keys: &[u8]) {
        let mut keyboard = self.keyboard.as_ref().expect("a run on a terminal");
        keyboard.write_all(keys).expect("type on the terminal");
    }

    /// Waits until `ready` holds, failing the test after a generous while.
    pub fn wait_until(&self, what: &str, ready: impl Fn(&Running) -> bool) {
        let started = Instant::now();
        while !ready(self) {
            assert!(
                started.elapsed() < PATIENCE,
                "waited {PATIENCE:?} for {what}; stdout:\n{}\nstderr:\n{}",
                self.stdout(),
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn stdout(&self) -> String {
        self.stdout.lock().expect("stdout").clone()
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr").clone()
    }

    /// Sends `signal` (`libc::SIGINT`, `libc::SIGTERM`) to the process.
    pub fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("pid fits pid_t");
        // SAFETY: signals our own child, which has not been reaped yet (`finish` reaps it).
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill");
    }

    /// Kills the process at once, as a crash or `kill -9` would (SIGKILL: it gets no chance to
    /// clean up or report), and reaps it. True when the kill is what ended it, so that the
    /// process was still running when the signal came; false when it had exited before.
    pub fn kill(mut self) -> bool {
        self.signal(libc::SIGKILL);
        let status = self.child.wait().expect("wait");
        for reader in self.readers.drain(..) {
            reader.join().expect("reader");
        }
        status.signal() == Some(libc::SIGKILL)
    }

    /// Waits for the process to end and says how long that took; kills it after a generous
    /// while, which then shows as exit code -1 and a long time.
    pub fn finish(mut self) -> (Run, Duration) {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                break status;
            }
            if started.elapsed() > PATIENCE {
                self.child.kill().ok();
                break self.child.wait().expect("wait");
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let took = started.elapsed();
        // The readers end when the process's pipes close.
        for reader in self.readers.drain(..) {
            reader.join().expect("reader");
        }
        let run = Run {
            code: status.code().unwrap_or(-1),
            stdout: self.stdout(),
            stderr: self.stderr(),
        };
        (run, took)
    }
}

/// A new pseudo-terminal: its terminal end (for the child), and its keyboard and screen (the
/// controlling end, twice).
fn pseudo_terminal() -> (File, File, File) {
    // SAFETY: plain libc calls on descriptors this function opens and owns; each result is
    // checked before it is used, and every descriptor ends up owned by one `File`.
    unsafe {
        let controlling = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        assert!(controlling >= 0, "posix_openpt");
        assert_eq!(libc::grantpt(controlling), 0, "grantpt");
        assert_eq!(libc::unlockpt(controlling), 0, "unlockpt");
        let mut name = [0 as libc::c_char; 128];
        assert_eq!(
            libc::ptsname_r(controlling, name.as_mut_ptr(), name.len()),
            0,
            "ptsname_r"
        );
        let terminal = libc::open(name.as_ptr(), libc::O_RDWR | libc::O_NOCTTY);
        assert!(terminal >= 0, "open the terminal end");
        let keyboard = File::from_raw_fd(controlling);
        let screen = keyboard.try_clone().expect("dup");
        (File::from_raw_fd(terminal), keyboard, screen)
    }
}

fn collect(mut stream: impl Read + Send + 'static) -> (Arc<Mutex<String>>, JoinHandle<()>) {
    let text = Arc::new(Mutex::new(String::new()));
    let filled = Arc::clone(&text);
    let reader = std::thread::spawn(move || {
        let mut buffer = [0; 4096];
        while let Ok(read) = stream.read(&mut buffer) {
            if read == 0 {
                break;
            }
            filled
                .lock()
                .expect("output")
                .push_str(&String::from_utf8_lossy(&buffer[..read]));
        }
    });
    (text, reader)
}
