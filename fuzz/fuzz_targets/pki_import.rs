//! Untrusted files into the certificate store's import path (`zubr cert import`): PEM, DER,
//! PKCS#7, PKCS#12 (the first byte picks whether a password is offered), certificates, CRLs,
//! requests and keys; then every imported object through `cert_mgr check` and the `show`
//! report. Nothing may panic or allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zubr_base::UnixTime;
use zubr_crypto_stb::SOFTWARE;
use zubr_pki::store::{ImportMode, NoContainers};
use zubr_pki::{CrlMode, Store, report, validate};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, file)) = data.split_first() else {
        return;
    };
    let password = (sel & 1 == 1).then_some(&b"secret"[..]);
    let mode = if sel & 2 == 0 {
        ImportMode::Default
    } else {
        ImportMode::Trusted
    };
    let _ = zubr_pki::Certificate::from_der(file);
    let _ = zubr_pki::Crl::from_der(file);
    let Ok(objects) = zubr_pki::parse(&SOFTWARE, file, password) else {
        return;
    };
    let mut store = Store::new();
    if store.import(objects, mode).is_err() {
        return;
    }
    let items = report::store_items(&store);
    let _ = report::summary(&items);
    for (i, item) in items.iter().enumerate() {
        let _ = report::detail(&SOFTWARE, i + 1, item);
        if let Some(status) = validate::check(
            &SOFTWARE,
            &store,
            i + 1,
            UnixTime::from_secs(1_800_000_000),
            CrlMode::Optional,
            &NoContainers,
        ) {
            let _ = report::check_lines(i + 1, item, status);
        }
    }
});
