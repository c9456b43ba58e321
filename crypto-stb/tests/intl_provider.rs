//! The international algorithms as the protocol crates see them: looked up in the software
//! provider by wire number and by name, used through the provider traits only.

use zubr_crypto_stb::{Error, Rng, SOFTWARE};

struct TestRng(u64);
impl Rng for TestRng {
    fn fill(&mut self, out: &mut [u8]) -> Result<(), Error> {
        for b in out.iter_mut() {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *b = (self.0 >> 33) as u8;
        }
        Ok(())
    }
}

#[test]
fn dh_groups_by_number_and_name() {
    let table = [
        (1, "MODP_768", "modp768", 96),
        (2, "MODP_1024", "modp1024", 128),
        (5, "MODP_1536", "modp1536", 192),
        (14, "MODP_2048", "modp2048", 256),
        (15, "MODP_3072", "modp3072", 384),
        (16, "MODP_4096", "modp4096", 512),
        (17, "MODP_6144", "modp6144", 768),
        (18, "MODP_8192", "modp8192", 1024),
        (19, "ECP_256", "ecp256", 64),
        (20, "ECP_384", "ecp384", 96),
        (21, "ECP_521", "ecp521", 132),
    ];
    let mut rng = TestRng(1);
    for (id, lsp, sa, public_len) in table {
        let g = SOFTWARE.group(id).unwrap_or_else(|| panic!("group {id}"));
        assert_eq!(g.lsp_name, lsp);
        assert_eq!(g.sa_name, sa);
        assert_eq!(SOFTWARE.group_by_name(lsp).map(|g| g.id), Some(id));
        assert_eq!(SOFTWARE.group_by_name(sa).map(|g| g.id), Some(id));
        assert_eq!(g.dh.public_len(), public_len);
        let a = g.dh.generate(&mut rng).expect("generate");
        let b = g.dh.generate(&mut rng).expect("generate");
        assert_eq!(a.public_key().len(), public_len);
        let z = a.agree(b.public_key()).expect("agree");
        assert_eq!(z, b.agree(a.public_key()).expect("agree"));
        assert_eq!(
            a.agree(&vec![0u8; public_len]).err(),
            Some(Error::InvalidPublicKey)
        );
    }
}
