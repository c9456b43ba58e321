//! The strongSwan lab (`shared/interop`) has fixed namespace names: every test binary that uses
//! it holds `/tmp/zubr-interop.lock` for its whole run, so that two runs never overlap.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Holds `/tmp/zubr-interop.lock` while alive (a `flock` child waiting on its stdin).
pub struct Lock(Child);

impl Lock {
    /// Waits for the lock and holds it until dropped.
    pub fn take() -> Lock {
        let mut c = Command::new("flock")
            .args([
                "/tmp/zubr-interop.lock",
                "sh",
                "-c",
                "echo locked; exec cat >/dev/null",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("flock");
        let mut line = String::new();
        BufReader::new(c.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "locked");
        Lock(c)
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        drop(self.0.stdin.take());
        let _ = self.0.wait();
    }
}
