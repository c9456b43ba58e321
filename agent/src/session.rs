//! The user session (product.md §3, guide §13.3–13.4, §13.31): the Log-off policy is in force
//! until the user logs in with the password; three wrong passwords in a row keep (or put back)
//! the Log-off policy and make every further try wait 30 s; logout ends the session; the
//! password can be changed; non-interactive mode tries the empty password first.
//!
//! The password is never stored: only a salted belt-pbkdf2 hash (STB 34.101.45, the provider's
//! `belt::pbkdf2`, 10 000 iterations, 16-byte salt, 32-byte output), compared in constant time.
//! The record's text form (`belt-pbkdf2$ITER$SALT$HASH`, hex) is what a host writes to disk.
//!
//! This module decides; the agent applies the decisions to the filter (Log-off policy) and the
//! SAs (deleted at logout).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};
use zubr_base::Instant;
use zubr_crypto_stb::Rng;

/// PBKDF2 iterations of new records.
pub const ITERATIONS: u32 = 10_000;
/// Wrong passwords before the delay starts.
pub const MAX_FAILURES: u32 = 3;
/// Delay of every try after [`MAX_FAILURES`] wrong passwords.
pub const RETRY_DELAY: Duration = Duration::from_secs(30);

/// A stored password: salt and belt-pbkdf2 output.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordRecord {
    iterations: u32,
    salt: [u8; 16],
    hash: [u8; 32],
}

impl core::fmt::Debug for PasswordRecord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("PasswordRecord(belt-pbkdf2, ..)")
    }
}

impl Drop for PasswordRecord {
    fn drop(&mut self) {
        self.hash.zeroize();
    }
}

fn derive(password: &[u8], salt: &[u8], iterations: u32) -> [u8; 32] {
    let mut out = [0u8; 32];
    zubr_crypto_stb::belt::pbkdf2(password, salt, iterations, &mut out);
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

impl PasswordRecord {
    /// A record for `password` with a fresh salt from `rng`.
    pub fn new(password: &[u8], rng: &mut dyn Rng) -> Result<Self, zubr_crypto_stb::Error> {
        let mut salt = [0u8; 16];
        rng.fill(&mut salt)?;
        Ok(PasswordRecord {
            iterations: ITERATIONS,
            salt,
            hash: derive(password, &salt, ITERATIONS),
        })
    }

    /// Whether `password` is the stored one (constant-time comparison).
    pub fn verify(&self, password: &[u8]) -> bool {
        let mut h = derive(password, &self.salt, self.iterations);
        let ok = h.ct_eq(&self.hash).into();
        h.zeroize();
        ok
    }

    /// `belt-pbkdf2$ITER$SALT$HASH`.
    pub fn to_text(&self) -> String {
        format!(
            "belt-pbkdf2${}${}${}",
            self.iterations,
            hex(&self.salt),
            hex(&self.hash)
        )
    }

    /// Parses [`PasswordRecord::to_text`].
    pub fn from_text(s: &str) -> Option<Self> {
        let parts: Vec<&str> = s.trim().split('$').collect();
        let [alg, iter, salt, hash] = parts.as_slice() else {
            return None;
        };
        if *alg != "belt-pbkdf2" {
            return None;
        }
        let iterations: u32 = iter
            .parse()
            .ok()
            .filter(|&i| (1..=10_000_000).contains(&i))?;
        Some(PasswordRecord {
            iterations,
            salt: unhex(salt)?,
            hash: unhex(hash)?,
        })
    }
}

/// Why a login or password change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginError {
    /// Wrong password (`Old password is incorrect` for a change).
    WrongPassword,
    /// Too many wrong passwords: try again at this time.
    Delayed {
        /// When the next try is accepted.
        until: Instant,
    },
    /// The random generator failed (new salt).
    Rng,
}

impl core::fmt::Display for LoginError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            LoginError::WrongPassword => f.write_str("Password is incorrect"),
            LoginError::Delayed { .. } => {
                f.write_str("Too many wrong passwords: wait 30 seconds before the next try")
            }
            LoginError::Rng => f.write_str("random generator failure"),
        }
    }
}

/// Login state.
#[derive(Debug, Clone)]
pub struct Session {
    record: PasswordRecord,
    logged_in: bool,
    failures: u32,
    next_try: Option<Instant>,
}

impl Session {
    /// A session with the stored password record; logged out.
    pub fn new(record: PasswordRecord) -> Self {
        Session {
            record,
            logged_in: false,
            failures: 0,
            next_try: None,
        }
    }

    /// Whether the user is logged in.
    pub fn logged_in(&self) -> bool {
        self.logged_in
    }

    /// Wrong passwords since the last success.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// The stored record (for the host to save).
    pub fn record(&self) -> &PasswordRecord {
        &self.record
    }

    fn gate(&self, now: Instant) -> Result<(), LoginError> {
        match self.next_try {
            Some(t) if now < t => Err(LoginError::Delayed { until: t }),
            _ => Ok(()),
        }
    }

    fn failed(&mut self, now: Instant) -> LoginError {
        self.failures = self.failures.saturating_add(1);
        if self.failures >= MAX_FAILURES {
            self.next_try = Some(now + RETRY_DELAY);
        }
        LoginError::WrongPassword
    }

    /// Interactive login. After [`MAX_FAILURES`] wrong passwords the user is logged out and
    /// every further try is refused for [`RETRY_DELAY`].
    pub fn login(&mut self, now: Instant, password: &[u8]) -> Result<(), LoginError> {
        self.gate(now)?;
        if self.record.verify(password) {
            self.logged_in = true;
            self.failures = 0;
            self.next_try = None;
            Ok(())
        } else {
            if self.failures + 1 >= MAX_FAILURES {
                self.logged_in = false;
            }
            Err(self.failed(now))
        }
    }

    /// Non-interactive login: the empty password is tried first (without counting a failure);
    /// `Ok(true)` when it opened the session, `Ok(false)` when a password must be asked for.
    pub fn login_noninteractive(&mut self) -> bool {
        if self.record.verify(b"") {
            self.logged_in = true;
            self.failures = 0;
            true
        } else {
            false
        }
    }

    /// Logout.
    pub fn logout(&mut self) {
        self.logged_in = false;
    }

    /// `pwd_change OLD NEW`: the old password must verify (a wrong one counts as a failure).
    pub fn change_password(
        &mut self,
        now: Instant,
        old: &[u8],
        new: &[u8],
        rng: &mut dyn Rng,
    ) -> Result<(), LoginError> {
        self.gate(now)?;
        if !self.record.verify(old) {
            return Err(self.failed(now));
        }
        let new = Zeroizing::new(new.to_vec());
        self.record = PasswordRecord::new(&new, rng).map_err(|_| LoginError::Rng)?;
        self.failures = 0;
        self.next_try = None;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zubr_crypto_stb::SOFTWARE;

    fn rng() -> alloc::boxed::Box<dyn Rng> {
        SOFTWARE.drbg.instantiate(&[7u8; 32]).unwrap()
    }

    #[test]
    fn record_round_trip_and_salt() {
        let mut r = rng();
        let a = PasswordRecord::new(b"secret", &mut *r).unwrap();
        let b = PasswordRecord::new(b"secret", &mut *r).unwrap();
        assert_ne!(a.to_text(), b.to_text(), "fresh salt each time");
        assert!(!a.to_text().contains("secret"));
        let back = PasswordRecord::from_text(&a.to_text()).unwrap();
        assert!(back.verify(b"secret"));
        assert!(!back.verify(b"secreT"));
        assert!(PasswordRecord::from_text("md5$1$00$00").is_none());
        assert!(PasswordRecord::from_text("belt-pbkdf2$0$00$00").is_none());
    }

    /// The stored hash is belt-pbkdf2 of STB 34.101.45 (checked against the provider's KAT in
    /// crypto-stb): recompute it here from the record's salt.
    #[test]
    fn hash_is_belt_pbkdf2() {
        let mut r = rng();
        let a = PasswordRecord::new(b"B194BAC80A08F53B", &mut *r).unwrap();
        let mut want = [0u8; 32];
        zubr_crypto_stb::belt::pbkdf2(b"B194BAC80A08F53B", &a.salt, ITERATIONS, &mut want);
        assert_eq!(a.hash, want);
    }

    #[test]
    fn three_failures_then_delay() {
        let mut r = rng();
        let mut s = Session::new(PasswordRecord::new(b"pw", &mut *r).unwrap());
        let t0 = Instant::from_secs(100);
        assert_eq!(s.login(t0, b"x"), Err(LoginError::WrongPassword));
        assert_eq!(s.login(t0, b"y"), Err(LoginError::WrongPassword));
        assert_eq!(s.login(t0, b"z"), Err(LoginError::WrongPassword));
        assert!(!s.logged_in());
        // the right password is refused for 30 s
        assert_eq!(
            s.login(t0 + Duration::from_secs(29), b"pw"),
            Err(LoginError::Delayed {
                until: t0 + RETRY_DELAY
            })
        );
        // a fourth wrong password after the delay starts another 30 s
        let t1 = t0 + RETRY_DELAY;
        assert_eq!(s.login(t1, b"bad"), Err(LoginError::WrongPassword));
        assert!(matches!(
            s.login(t1 + Duration::from_secs(1), b"pw"),
            Err(LoginError::Delayed { .. })
        ));
        assert_eq!(s.login(t1 + RETRY_DELAY, b"pw"), Ok(()));
        assert!(s.logged_in());
        assert_eq!(s.failures(), 0);
    }

    #[test]
    fn change_and_noninteractive() {
        let mut r = rng();
        let mut s = Session::new(PasswordRecord::new(b"", &mut *r).unwrap());
        assert!(s.login_noninteractive());
        let now = Instant::from_secs(1);
        assert_eq!(
            s.change_password(now, b"wrong", b"new", &mut *r),
            Err(LoginError::WrongPassword)
        );
        s.change_password(now, b"", b"new", &mut *r).unwrap();
        s.logout();
        assert!(!s.login_noninteractive());
        assert_eq!(s.login(now, b"new"), Ok(()));
    }
}
