//! Every known-answer test registered in the software provider passes.

use zubr_crypto_stb::{SOFTWARE, kat};

#[test]
fn every_self_test_passes() {
    let tests: Vec<_> = SOFTWARE
        .self_tests
        .iter()
        .flat_map(|s| s.iter().copied())
        .collect();
    let report = kat::run_all(&tests);
    assert!(
        report.failed.is_empty(),
        "failed self-tests: {:?}",
        report.failed
    );
    assert!(report.passed.iter().all(|(_, n)| *n > 0));
}

#[test]
fn lookups_by_wire_number_and_name_agree() {
    for c in SOFTWARE.ike_ciphers {
        let by_num = SOFTWARE
            .ike_cipher(c.attribute, c.key_bits)
            .expect("by number");
        assert_eq!(by_num.lsp_name, c.lsp_name);
        assert_eq!(
            SOFTWARE.ike_cipher_by_name(c.sa_name).map(|x| x.lsp_name),
            Some(c.lsp_name)
        );
    }
    for e in SOFTWARE.esp_ciphers {
        let by_num = SOFTWARE
            .esp_cipher(e.transform_id, e.key_bits)
            .expect("by number");
        assert_eq!(by_num.lsp_name, e.lsp_name);
    }
    for i in SOFTWARE.integrity {
        assert_eq!(
            SOFTWARE.integrity(i.auth_algorithm).map(|x| x.lsp_name),
            Some(i.lsp_name)
        );
        assert!(i.icv_len <= i.mac.output_len());
    }
    for h in SOFTWARE.ike_hashes {
        assert_eq!(
            SOFTWARE.ike_hash(h.attribute).map(|x| x.lsp_name),
            Some(h.lsp_name)
        );
    }
    for g in SOFTWARE.groups {
        assert_eq!(SOFTWARE.group(g.id).map(|x| x.lsp_name), Some(g.lsp_name));
    }
}
