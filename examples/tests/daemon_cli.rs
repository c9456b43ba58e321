//! `zubr daemon` and the utilities over its control socket, without root: the daemon runs the
//! gateway policy of lsp-example 04 on ephemeral UDP ports; the utilities print the manual's
//! forms (product.md §4, §6, §8), `lsp load` of a broken file leaves the Default Driver Policy in
//! force, and a 4th concurrent request gets `DAEMON BUSY NOW`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn policy(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("policies")
        .join(name)
}

struct Daemon {
    child: Child,
    control: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    fn start(args: &[&str]) -> Daemon {
        let dir = tempfile::tempdir().unwrap();
        let control = dir.path().join("control.sock");
        let child = Command::new(env!("CARGO_BIN_EXE_zubr"))
            .arg("--control")
            .arg(&control)
            .arg("daemon")
            .args(["--ike-port", "0", "--natt-port", "0", "--store"])
            .arg(dir.path().join("store"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let t0 = Instant::now();
        while !control.exists() {
            assert!(
                t0.elapsed() < Duration::from_secs(20),
                "daemon did not create its control socket"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Daemon {
            child,
            control,
            _dir: dir,
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_zubr"));
        c.env("ZUBR_CONTROL", &self.control).args(args);
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    }
}

fn gateway() -> Daemon {
    let p = policy("04-psk-gost-gateway.lsp");
    Daemon::start(&[
        "--lsp",
        p.to_str().unwrap(),
        "--local",
        "203.0.113.1",
        "--ddp",
        "dropall",
    ])
}

#[test]
fn utilities_print_the_manual_forms() {
    let d = gateway();
    assert_eq!(
        d.ok(&["lsp", "show-info"]),
        "Type: user-defined\nSource: file\nSource info: 04-psk-gost-gateway.lsp\n"
    );
    assert_eq!(
        d.ok(&["sa", "show"]),
        "ISAKMP sessions: 0 initiated, 0 responded\n\nISAKMP connections:\n\
         Num Conn-id (Remote Addr,Port)-(Local Addr,Port) State Sent Rcvd\n\nIPsec connections:\n\
         Num Conn-id (Remote Addr,Port)-(Local Addr,Port) Protocol Action Type Sent Rcvd\n"
    );
    assert_eq!(
        d.ok(&["sa", "clear", "-all"]),
        "All connections are removed\n"
    );
    assert_eq!(
        d.ok(&["dp", "show"]),
        "Default Driver Policy : dropall\nLog-off-policy: ddp\n"
    );
    assert_eq!(d.ok(&["dp", "show", "-lop"]), "Log-off-policy: ddp\n");
    d.ok(&["dp", "set", "-lop", "passdhcp"]);
    assert_eq!(d.ok(&["dp", "show", "-lop"]), "Log-off-policy: passdhcp\n");
    assert_eq!(
        d.ok(&["drv", "set", "ipsec_breq_max", "7"]),
        "Value of \"ipsec_breq_max\" is set to 7\n"
    );
    assert!(
        d.ok(&["drv", "show", "ipsec_breq_max"])
            .starts_with("ipsec_breq_max ")
    );
    assert!(
        d.ok(&["drv", "show", "ipsec_breq_max"])
            .trim_end()
            .ends_with(" 7")
    );
    // a read-only property
    let o = d.run(&["drv", "set", "fw_tcp_closed_ttl", "7"]);
    assert_eq!(o.status.code(), Some(9));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not read-write"));
    let o = d.run(&["drv", "show", "no_such"]);
    assert_eq!(o.status.code(), Some(9));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "User Error: Property name \"no_such\" is unknown\n"
    );
    let ifs = d.ok(&["if", "show"]);
    assert!(ifs.contains("Logical network interface \"eth0\""), "{ifs}");
    // the kernel's view of eth0 when this machine has one, else what the daemon was told
    match std::fs::read_to_string("/sys/class/net/eth0/mtu") {
        Ok(mtu) => assert!(
            ifs.contains(&format!("MTU:           {}", mtu.trim())),
            "{ifs}"
        ),
        Err(_) => assert!(ifs.contains("IP addr:       203.0.113.1"), "{ifs}"),
    }
    assert!(
        d.ok(&["fwconn", "show"])
            .contains("Number of TCP connections: 0")
    );
    assert!(
        d.ok(&["lsp", "show"])
            .starts_with("GlobalParameters (\n Title = \"Zubr example 04")
    );
    let o = d.run(&["sa", "frobnicate"]);
    assert_eq!(o.status.code(), Some(9));
    // -T: 10..36000 seconds or 0 (infinite)
    let o = d.run(&["-T", "5", "sa", "show"]);
    assert_eq!(o.status.code(), Some(9));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "Error: -T must be 0 or 10..36000\n"
    );
    assert!(d.run(&["-T", "0", "sa", "show"]).status.success());
    assert!(d.run(&["-T", "36000", "sa", "show"]).status.success());
}

#[test]
fn lsp_load_reload_unload_and_fail_closed() {
    let d = gateway();
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.lsp");
    std::fs::write(
        &broken,
        "GlobalParameters (\n Version = LSP_4_0\n)\nIKERule r(\n",
    )
    .unwrap();
    let o = d.run(&["lsp", "load", "-f", broken.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("Error: LSP is not loaded"));
    // fail closed: the Default Driver Policy (dropall) is in force
    assert_eq!(
        d.ok(&["lsp", "show-info"]),
        "Type: default driver policy\nSource: dropall\n"
    );
    let client = policy("01-psk-gost-client.lsp");
    assert_eq!(
        d.ok(&[
            "lsp",
            "load",
            "-f",
            client.to_str().unwrap(),
            "-l",
            "office"
        ]),
        "LSP successfully loaded from file 01-psk-gost-client.lsp\n"
    );
    assert_eq!(
        d.ok(&["lsp", "show-info"]),
        "Type: user-defined\nSource: file\nSource info: office\n"
    );
    assert_eq!(d.ok(&["lsp", "reload"]), "LSP is reloaded successfully\n");
    assert_eq!(
        d.ok(&["lsp", "unload"]),
        "Default Driver Policy is loaded\n"
    );
    assert_eq!(
        d.ok(&["lsp", "show-info"]),
        "Type: default driver policy\nSource: dropall\n"
    );
    // the stored copy survives the unload
    assert!(d.ok(&["lsp", "show", "-db"]).contains("Zubr example 01"));
}

fn path_of(d: &Daemon) -> &Path {
    &d.control
}

#[test]
fn fourth_request_is_busy() {
    let d = gateway();
    // three event streams hold three request slots
    let mut streams: Vec<Child> = (0..3)
        .map(|_| {
            d.cmd(&["klog"])
                .stdout(Stdio::null())
                .stdin(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // nothing else talks to the daemon meanwhile: the three connect and stay
    std::thread::sleep(Duration::from_millis(1500));
    for c in &mut streams {
        assert!(
            c.try_wait().unwrap().is_none(),
            "a stream ended: {:?}",
            c.try_wait()
        );
    }
    let o = d.run(&["sa", "show"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(String::from_utf8_lossy(&o.stderr), "DAEMON BUSY NOW\n");
    assert!(o.stdout.is_empty());
    for s in &mut streams {
        s.kill().unwrap();
        s.wait().unwrap();
    }
    // the slots free up once the streams are gone
    let t0 = Instant::now();
    loop {
        let o = d.run(&["dp", "show"]);
        if o.status.success() {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", path_of(&d));
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn session_login_passwd_logout() {
    let p = policy("01-psk-gost-client.lsp");
    let d = Daemon::start(&[
        "--lsp",
        p.to_str().unwrap(),
        "--local",
        "192.0.2.50",
        "--session",
    ]);
    let stdin = |args: &[&str], input: &str| -> Output {
        use std::io::Write;
        let mut c = d
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        c.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        c.wait_with_output().unwrap()
    };
    // no password record yet: the password is empty
    let o = stdin(&["passwd"], "wrong\nsecret\n");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "Old password is incorrect\n"
    );
    let o = stdin(&["passwd"], "\nsecret\n");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "New password is set successfully\n"
    );
    let o = stdin(&["login"], "nope\n");
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "Password is incorrect\n"
    );
    let o = stdin(&["login"], "secret\n");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "Login OK\n",
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(d.ok(&["logout"]), "Logout OK\n");
    // the record is stored salted, never in clear
    let rec = std::fs::read_to_string(d._dir.path().join("store/passwd")).unwrap();
    assert!(!rec.contains("secret") && !rec.is_empty(), "{rec}");
}

#[test]
fn klog_masks_and_prefixes() {
    let d = gateway();
    let names = d.ok(&["klog", "-l"]);
    assert!(
        names
            .lines()
            .any(|l| l.split_whitespace().eq(["pass", "0x1"])),
        "{names}"
    );
    assert!(
        names
            .lines()
            .any(|l| l.split_whitespace().eq(["mtud", "0x4000"])),
        "{names}"
    );
    let o = d.run(&["klog", "-m", "nonsense"]);
    assert_eq!(o.status.code(), Some(9));
    // only drops, with the subsystem
    let mut k = d
        .cmd(&["klog", "-g", "-f", "drop"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    // under the policy: ICMP from the gateway's address passes (filter_rule_icmp_local)
    let o = d.run(&["ping", "192.0.2.9", "-c", "1", "-W", "1"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("1 packets transmitted, 0 received"));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("dropped"));
    // without it: the Default Driver Policy (dropall) drops it
    d.ok(&["lsp", "unload"]);
    let o = d.run(&["ping", "192.0.2.9", "-c", "1", "-W", "1"]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("icmp_seq=1 dropped: driver default policy")
    );
    std::thread::sleep(Duration::from_millis(500));
    k.kill().unwrap();
    let out = k.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [
            "[PKT] dropped out packet 203.0.113.1->192.0.2.9, proto 1, len 56, if eth0: driver default policy"
        ],
        "{text}"
    );
}

/// Mutating commands and what `show` prints of the state they would change.
const MUTATIONS: &[&[&str]] = &[
    &["sa", "clear", "-all"],
    &["drv", "set", "ipsec_breq_max", "7"],
    &["dp", "set", "-lop", "passdhcp"],
    &["lsp", "reload"],
    &["lsp", "unload"],
];

/// Every mutating command answers `want` (exit 1, on stderr) and changes nothing; read-only
/// commands still work.
fn all_refused(d: &Daemon, run: &dyn Fn(&[&str]) -> Output, want: &str) {
    // a world-readable copy: the utility reads the file itself, and may run as `nobody` while
    // the checkout sits in a directory only root may enter
    let client = std::env::temp_dir().join(format!("zubr-refused-{}.lsp", std::process::id()));
    std::fs::copy(policy("01-psk-gost-client.lsp"), &client).unwrap();
    std::fs::set_permissions(&client, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let load: &[&str] = &["lsp", "load", "-f", client.to_str().unwrap()];
    for args in MUTATIONS.iter().copied().chain([load]) {
        let o = run(args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&o.stderr), want, "{args:?}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
    let _ = std::fs::remove_file(&client);
    // nothing changed
    assert_eq!(d.ok(&["dp", "show", "-lop"]), "Log-off-policy: ddp\n");
    assert!(
        d.ok(&["drv", "show", "ipsec_breq_max"])
            .trim_end()
            .ends_with(" 1000")
    );
    assert_eq!(
        d.ok(&["lsp", "show-info"]),
        "Type: user-defined\nSource: file\nSource info: 04-psk-gost-gateway.lsp\n"
    );
    // read-only commands are open
    for args in [
        &["sa", "show"][..],
        &["dp", "show"],
        &["drv", "show"],
        &["lsp", "show"],
    ] {
        let o = run(args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

fn my_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::metadata(dir.path()).unwrap().uid()
}

#[test]
fn mutations_need_an_administrator() {
    let p = policy("04-psk-gost-gateway.lsp");
    let uid = my_uid().to_string();
    let d = Daemon::start(&[
        "--lsp",
        p.to_str().unwrap(),
        "--local",
        "203.0.113.1",
        "--non-admin-uid",
        &uid,
    ]);
    all_refused(
        &d,
        &|a| d.run(a),
        "Error: You need Administrator permissions.\n",
    );
    // the user session commands are the user's own
    assert_eq!(d.ok(&["logout"]), "Logout OK\n");
}

#[test]
fn mutations_need_the_local_management_right() {
    let p = policy("04-psk-gost-gateway.lsp");
    let d = Daemon::start(&[
        "--lsp",
        p.to_str().unwrap(),
        "--local",
        "203.0.113.1",
        "--no-local-management",
    ]);
    all_refused(
        &d,
        &|a| d.run(a),
        "Error: Local management is not allowed.\n",
    );
    // without the option the same commands work (utilities_print_the_manual_forms)
}

/// A real unprivileged peer: the utility runs as `nobody` under `setpriv` (root only); the
/// daemon learns its user id from the socket (SO_PEERCRED).
#[test]
fn unprivileged_peer_is_not_an_administrator() {
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(setpriv) = setpriv else {
        println!("skipped: no setpriv to drop privileges");
        return;
    };
    if my_uid() != 0 {
        println!(
            "skipped: not root, cannot change user id (the --non-admin-uid test covers the check)"
        );
        return;
    }
    let p = policy("04-psk-gost-gateway.lsp");
    let d = Daemon::start(&["--lsp", p.to_str().unwrap(), "--local", "203.0.113.1"]);
    // let nobody reach the socket
    use std::os::unix::fs::PermissionsExt;
    let dir = d.control.parent().unwrap();
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&d.control, std::fs::Permissions::from_mode(0o777)).unwrap();
    let as_nobody = |args: &[&str]| -> Output {
        Command::new(setpriv)
            .args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_zubr"))
            .args(args)
            .env("ZUBR_CONTROL", &d.control)
            .output()
            .unwrap()
    };
    let probe = as_nobody(&["sa", "show"]);
    assert!(
        probe.status.success(),
        "nobody cannot run the utility: {}",
        String::from_utf8_lossy(&probe.stderr)
    );
    all_refused(
        &d,
        &as_nobody,
        "Error: You need Administrator permissions.\n",
    );
    // root may
    assert_eq!(
        d.ok(&["sa", "clear", "-all"]),
        "All connections are removed\n"
    );
}
