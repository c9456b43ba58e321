//! A throw-away certificate authority for tests of the crates that use certificates (agent,
//! examples): a self-signed CA with a key of any kind and end-entity certificates it issues,
//! all from a seeded DRBG of the software provider, so runs are repeatable. Behind the
//! `testing` feature; it panics on failure and is never used by library code.

use alloc::boxed::Box;

use zubr_crypto_stb::{Rng, SOFTWARE};

use crate::builder::CertificateBuilder;
use crate::{Certificate, KeyKind, KeyUse, PrivateKey};

/// A CA certificate, its key and the DRBG that makes everything it issues.
pub struct TestCa {
    /// The self-signed CA certificate.
    pub cert: Certificate,
    /// Its private key.
    pub key: PrivateKey,
    /// The DRBG (seeded by [`TestCa::new`]).
    pub rng: Box<dyn Rng>,
}

impl TestCa {
    /// A CA named `subject` with a fresh `kind` key, valid over `validity` (Unix seconds), from
    /// a DRBG seeded with 32 bytes of `seed`.
    pub fn new(kind: KeyKind, subject: &str, seed: u8, validity: (i64, i64)) -> TestCa {
        let mut rng = SOFTWARE.drbg.instantiate(&[seed; 32]).expect("drbg");
        let key = PrivateKey::generate(kind, &mut *rng).expect("CA key");
        let signer = key.signing_key(KeyUse::Certificate).expect("CA signer");
        let cert = CertificateBuilder::new(subject, 1, validity.0, validity.1)
            .expect("CA subject")
            .ca(None)
            .sign(
                &key.public_key().expect("CA public key"),
                None,
                &*signer,
                &mut *rng,
            )
            .expect("CA certificate");
        TestCa { cert, key, rng }
    }

    /// An end-entity certificate `subject` with serial `serial` for a fresh `kind` key, valid
    /// over `validity`, signed by this CA; with its private key.
    pub fn issue(
        &mut self,
        kind: KeyKind,
        subject: &str,
        serial: u64,
        validity: (i64, i64),
    ) -> (Certificate, PrivateKey) {
        let key = PrivateKey::generate(kind, &mut *self.rng).expect("key");
        let signer = self
            .key
            .signing_key(KeyUse::Certificate)
            .expect("CA signer");
        let cert = CertificateBuilder::new(subject, serial, validity.0, validity.1)
            .expect("subject")
            .sign(
                &key.public_key().expect("public key"),
                Some(&self.cert),
                &*signer,
                &mut *self.rng,
            )
            .expect("certificate");
        (cert, key)
    }
}
