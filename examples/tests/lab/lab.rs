//! The strongSwan lab (`shared/interop`) has fixed namespace names: every test binary that uses
//! it holds `/tmp/zubr-interop.lock` for its whole run, so that two runs never overlap. Also where
//! the lab is and why a run must be skipped.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
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

/// The lab's scripts: `$ZUBR_INTEROP_DIR`, else `<repo>/../shared/interop`.
pub fn interop_dir() -> PathBuf {
    if let Ok(d) = std::env::var("ZUBR_INTEROP_DIR") {
        return PathBuf::from(d);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/interop")
}

/// Why the lab cannot run here (not root, no network namespaces, no flock), if it cannot.
pub fn skip_reason() -> Option<String> {
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some("not running as root".into());
    }
    let probe = "zubr-netns-probe";
    let ok = Command::new("ip")
        .args(["netns", "add", probe])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let _ = Command::new("ip").args(["netns", "del", probe]).status();
    if !ok {
        return Some("network namespaces are not available (ip netns add failed)".into());
    }
    if Command::new("flock").arg("-V").output().is_err() {
        return Some("flock(1) is not installed".into());
    }
    None
}
