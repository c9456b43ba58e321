//! The store kept in a directory a host chooses (`zubr --store DIR`, `$ZUBR_STORE`).
//!
//! Layout **[Z]**:
//! ```text
//! DIR/index          one line per object, in numbering order:
//!                    `cert local 0001.der key=0001.key` | `cert local 0002.der container=NAME`
//!                    `cert trusted 0003.der` | `cert remote 0004.der` | `request 0005.der`
//!                    `crl 0006.crl`
//! DIR/NNNN.der|.crl  the objects, DER
//! DIR/NNNN.key       software private keys, PKCS#8 DER, mode 0600
//! DIR/psk/HEXNAME    pre-shared keys (file name = hex of the key name), mode 0600
//! ```
//! Loading never fails on a bad object: an unreadable certificate is kept as
//! `Entry::Invalid` (`Certificate is invalid`), a missing key file becomes `KeyRef::Missing`
//! (`Private key container is not accessible`), an unparsable one `KeyRef::Unreadable`
//! (`Private key is not accessible`). Saving rewrites the directory through temporary files and
//! renames, index last.
//!
//! This module must not follow paths out of `DIR` (names come from the index and are checked).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::crl::Crl;
use crate::key::PrivateKey;
use crate::store::{Entry, KeyRef, Role, Store, StoreError};

fn storage(e: impl core::fmt::Display) -> StoreError {
    StoreError::Storage(e.to_string())
}

/// A file name from the index: plain, inside the directory.
fn safe_name(name: &str) -> Result<&str, StoreError> {
    if name.is_empty()
        || name.starts_with('.')
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return Err(storage(format_args!("bad file name in index: {name}")));
    }
    Ok(name)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| alloc::format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

fn write_private(path: &Path, data: &[u8]) -> Result<(), StoreError> {
    let tmp = path.with_extension("tmp");
    {
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp).map_err(storage)?;
        f.write_all(data).map_err(storage)?;
        f.sync_all().map_err(storage)?;
    }
    fs::rename(&tmp, path).map_err(storage)
}

/// A store bound to a directory.
#[derive(Debug)]
pub struct DirStore {
    dir: PathBuf,
    /// The objects.
    pub store: Store,
}

impl DirStore {
    /// Opens (or, when absent, starts) the store in `dir`.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let dir = dir.into();
        let mut store = Store::new();
        let index = dir.join("index");
        if index.exists() {
            let text = fs::read_to_string(&index).map_err(storage)?;
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                load_line(&dir, &mut store, line)?;
            }
        }
        let psk_dir = dir.join("psk");
        if psk_dir.is_dir() {
            let mut names: Vec<(String, PathBuf)> = Vec::new();
            for e in fs::read_dir(&psk_dir).map_err(storage)? {
                let e = e.map_err(storage)?;
                let file = e.file_name().to_string_lossy().to_string();
                if let Some(name) = unhex(&file).and_then(|b| String::from_utf8(b).ok()) {
                    names.push((name, e.path()));
                }
            }
            // import order is not recorded for PSKs: list them by name
            names.sort();
            for (name, path) in names {
                let value = zeroize::Zeroizing::new(fs::read(&path).map_err(storage)?);
                store.psk_import(&name, &value)?;
            }
        }
        Ok(DirStore { dir, store })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes the store to its directory.
    pub fn save(&self) -> Result<(), StoreError> {
        fs::create_dir_all(&self.dir).map_err(storage)?;
        let mut index = String::new();
        let mut keep: Vec<String> = alloc::vec!["index".to_string(), "psk".to_string()];
        let mut n = 0usize;
        let mut put = |ext: &str, data: &[u8], private: bool| -> Result<String, StoreError> {
            n += 1;
            let name = alloc::format!("{n:04}.{ext}");
            let path = self.dir.join(&name);
            if private {
                write_private(&path, data)?;
            } else {
                let tmp = path.with_extension("tmp");
                fs::write(&tmp, data).map_err(storage)?;
                fs::rename(&tmp, &path).map_err(storage)?;
            }
            Ok(name)
        };
        for e in self.store.entries() {
            match e {
                Entry::Certificate { cert, role, key } => {
                    let name = put("der", cert.der(), false)?;
                    keep.push(name.clone());
                    let role_word = role.status_word();
                    let key_part = match key {
                        Some(KeyRef::Software(k)) => {
                            let kn = put("key", &k.to_pkcs8_der().map_err(storage)?, true)?;
                            keep.push(kn.clone());
                            alloc::format!(" key={kn}")
                        }
                        Some(KeyRef::Container(c)) => {
                            alloc::format!(" container={}", hex(c.as_bytes()))
                        }
                        // a lost key stays lost; a broken one is kept as it was
                        Some(KeyRef::Missing) => " key=missing".to_string(),
                        Some(KeyRef::Unreadable(d)) => {
                            let kn = put("key", d, true)?;
                            keep.push(kn.clone());
                            alloc::format!(" key={kn}")
                        }
                        None => String::new(),
                    };
                    index.push_str(&alloc::format!("cert {role_word} {name}{key_part}\n"));
                }
                Entry::Request(r) => {
                    let name = put("der", r.der(), false)?;
                    keep.push(name.clone());
                    index.push_str(&alloc::format!("request {name}\n"));
                }
                Entry::Invalid { data, role } => {
                    let name = put("der", data, false)?;
                    keep.push(name.clone());
                    index.push_str(&alloc::format!("cert {} {name}\n", role.status_word()));
                }
            }
        }
        for c in self.store.crls() {
            let name = put("crl", c.der(), false)?;
            keep.push(name.clone());
            index.push_str(&alloc::format!("crl {name}\n"));
        }
        let tmp = self.dir.join("index.tmp");
        fs::write(&tmp, index).map_err(storage)?;
        fs::rename(&tmp, self.dir.join("index")).map_err(storage)?;
        // remove files no longer referenced (objects removed, renumbered)
        for e in fs::read_dir(&self.dir).map_err(storage)? {
            let e = e.map_err(storage)?;
            let f = e.file_name().to_string_lossy().to_string();
            // only our own numbered files (`0001.der`): never a user's file in the directory
            let ours = f.split_once('.').is_some_and(|(stem, ext)| {
                stem.len() >= 4
                    && stem.bytes().all(|b| b.is_ascii_digit())
                    && matches!(ext, "der" | "crl" | "key")
            });
            if !keep.contains(&f) && ours {
                let _ = fs::remove_file(e.path());
            }
        }
        // PSKs
        let psk_dir = self.dir.join("psk");
        fs::create_dir_all(&psk_dir).map_err(storage)?;
        let wanted: Vec<String> = self
            .store
            .psks()
            .iter()
            .map(|p| hex(p.name.as_bytes()))
            .collect();
        for p in self.store.psks() {
            write_private(&psk_dir.join(hex(p.name.as_bytes())), &p.value)?;
        }
        for e in fs::read_dir(&psk_dir).map_err(storage)? {
            let e = e.map_err(storage)?;
            let f = e.file_name().to_string_lossy().to_string();
            if !wanted.contains(&f) {
                let _ = fs::remove_file(e.path());
            }
        }
        Ok(())
    }
}

fn role_of(word: &str) -> Result<Role, StoreError> {
    match word {
        "local" => Ok(Role::Local),
        "trusted" => Ok(Role::Trusted),
        "remote" => Ok(Role::Remote),
        _ => Err(storage(format_args!("bad role in index: {word}"))),
    }
}

fn load_line(dir: &Path, store: &mut Store, line: &str) -> Result<(), StoreError> {
    let parts: Vec<&str> = line.split_whitespace().collect();
    let read = |name: &str| -> Result<Option<Vec<u8>>, StoreError> {
        let p = dir.join(safe_name(name)?);
        match fs::read(&p) {
            Ok(d) => Ok(Some(d)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(storage(e)),
        }
    };
    match parts.as_slice() {
        ["cert", role, file, rest @ ..] => {
            let role = role_of(role)?;
            let data = read(file)?.unwrap_or_default();
            let Ok(cert) = crate::cert::Certificate::from_der(&data) else {
                store.add_invalid(data, role)?;
                return Ok(());
            };
            let key = match rest.first() {
                Some(k) if k.starts_with("key=") => {
                    let f = &k[4..];
                    Some(match read(f)? {
                        None => KeyRef::Missing,
                        Some(d) => {
                            let d = zeroize::Zeroizing::new(d);
                            match PrivateKey::from_der(&d) {
                                Ok(k) => KeyRef::Software(k),
                                Err(_) => KeyRef::Unreadable(d),
                            }
                        }
                    })
                }
                Some(c) if c.starts_with("container=") => Some(KeyRef::Container(
                    unhex(&c[10..])
                        .and_then(|b| String::from_utf8(b).ok())
                        .ok_or_else(|| storage("bad container name in index"))?,
                )),
                _ => None,
            };
            store.insert_unchecked(cert, role, key)?;
        }
        ["request", file] => {
            let data = read(file)?.unwrap_or_default();
            match crate::cert::CertRequest::from_der(&data) {
                Ok(r) => {
                    store.add_request(r)?;
                }
                Err(_) => {
                    store.add_invalid(data, Role::Remote)?;
                }
            }
        }
        ["crl", file] => {
            // a CRL that no longer parses is dropped (it would be replaced anyway)
            if let Some(data) = read(file)?
                && let Ok(c) = Crl::from_der(&data)
            {
                store.add_crl(c)?;
            }
        }
        _ => return Err(storage(format_args!("bad index line: {line}"))),
    }
    Ok(())
}
