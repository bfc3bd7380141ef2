//! The content hash: a stable contract (SPEC §4). Output names may change only
//! in a release that says so; the golden vectors below pin it.
//!
//! Encoding, all lengths and counts as unsigned 64-bit little-endian:
//!
//! ```text
//! digest = BLAKE3( lp("imprint:v1") || lp(kind) || lp(type) || u64(n) || entry_1 .. entry_n )
//! entry  = tag || lp(key) || lp(value)      tag: 0x01 data, 0x02 binaryData
//! lp(b)  = u64(len(b)) || b
//! ```
//!
//! - `kind` is `ConfigMap` or `Secret`; `type` is the Secret type (`Opaque`
//!   when unset, the API default) and empty for a ConfigMap.
//! - Entries are sorted by key bytes, then tag. Values are the decoded bytes:
//!   a ConfigMap's `data` as UTF-8, its `binaryData` and a Secret's `data`
//!   base64-decoded (so line wrapping and padding do not matter); a Secret's
//!   `stringData` is folded into `data` before hashing, winning over `data`.
//! - Labels, annotations, key order and YAML formatting are not covered.
//! - Keyed mode (Secrets, when the operator gives a key file): BLAKE3 keyed
//!   hash with key = `derive_key("imprint v1 secret hash key", key file bytes)`.
//!
//! The name suffix is the digest in lowercase Crockford base32
//! (`0123456789abcdefghjkmnpqrstvwxyz`, 5 bits a character, most significant
//! bit first), cut to `hashLength` characters; `fullHash` is all 52.

pub const DOMAIN: &str = "imprint:v1";
const KEY_CONTEXT: &str = "imprint v1 secret hash key";
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Characters of base32 needed for 256 bits.
pub const FULL_LEN: usize = 52;

/// Whether an entry came from `data` or `binaryData`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntryTag {
    Data = 1,
    Binary = 2,
}

/// The hashed content of one bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content<'a> {
    pub kind: &'a str,
    pub secret_type: &'a str,
    pub entries: Vec<(EntryTag, &'a str, Vec<u8>)>,
}

/// A derived key for keyed Secret hashing.
#[derive(Clone)]
pub struct HashKey([u8; 32]);

impl HashKey {
    #[must_use]
    pub fn from_material(material: &[u8]) -> Self {
        HashKey(blake3::derive_key(KEY_CONTEXT, material))
    }
}

impl std::fmt::Debug for HashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HashKey(..)")
    }
}

fn lp(h: &mut blake3::Hasher, bytes: &[u8]) {
    h.update(&(bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// The digest of a bundle's content; keyed when `key` is given.
#[must_use]
pub fn digest(content: &Content<'_>, key: Option<&HashKey>) -> [u8; 32] {
    let mut entries: Vec<&(EntryTag, &str, Vec<u8>)> = content.entries.iter().collect();
    entries.sort_by(|a, b| a.1.as_bytes().cmp(b.1.as_bytes()).then(a.0.cmp(&b.0)));
    let mut h = match key {
        Some(k) => blake3::Hasher::new_keyed(&k.0),
        None => blake3::Hasher::new(),
    };
    lp(&mut h, DOMAIN.as_bytes());
    lp(&mut h, content.kind.as_bytes());
    lp(&mut h, content.secret_type.as_bytes());
    h.update(&(entries.len() as u64).to_le_bytes());
    for (tag, key, value) in entries {
        h.update(&[*tag as u8]);
        lp(&mut h, key.as_bytes());
        lp(&mut h, value);
    }
    *h.finalize().as_bytes()
}

/// Lowercase Crockford base32 of the whole digest (52 characters).
#[must_use]
pub fn base32(digest: &[u8; 32]) -> String {
    let mut out = String::with_capacity(FULL_LEN);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &b in digest {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Lowercase hex of the digest, for the `content-hash` annotation.
#[must_use]
pub fn hex(digest: &[u8; 32]) -> String {
    use std::fmt::Write;
    digest.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cm(entries: Vec<(EntryTag, &'static str, &'static str)>) -> Content<'static> {
        Content {
            kind: "ConfigMap",
            secret_type: "",
            entries: entries.into_iter().map(|(t, k, v)| (t, k, v.as_bytes().to_vec())).collect(),
        }
    }

    /// Golden vectors: these exact digests are the contract. Changing one
    /// changes every name imprint has ever produced. They were computed by a
    /// separate Python implementation of the encoding above (PyPI `blake3`),
    /// not by this code.
    #[test]
    fn golden_vectors() {
        let empty = cm(vec![]);
        let d = digest(&empty, None);
        assert_eq!(hex(&d), "93a1c24e23f672438b224ca6ecffecdfc3c9d24f097597d27a189835af184647");
        assert_eq!(&base32(&d)[..10], "jegw4kh3ys");

        let msg = cm(vec![(EntryTag::Data, "MESSAGE", "hello world")]);
        let d = digest(&msg, None);
        assert_eq!(hex(&d), "e4dd0435d24b54e9e2d2b663dbf6f82395a3cb247b08ada0a9bf2113bef0cb6e");
        assert_eq!(base32(&d), "wkeg8dej9daekrpjpshxqxqr4eat7js4fc4av859qwgh7fqgsdq0");

        let secret = Content {
            kind: "Secret",
            secret_type: "Opaque",
            entries: vec![(EntryTag::Data, "password", b"s3cr3t".to_vec())],
        };
        assert_eq!(hex(&digest(&secret, None)), "ecc4094c69237a705a92842f9966647ccb70e955166a5dacbd2fa01d20f6c180");
        let key = HashKey::from_material(b"operator key\n");
        assert_eq!(
            hex(&digest(&secret, Some(&key))),
            "2df1b6a03c0d8d2310c00ad2f1860a789be8f057b4e7f4e2325ca899d2cac91b"
        );
    }

    #[test]
    fn order_of_entries_does_not_matter() {
        let a = cm(vec![(EntryTag::Data, "a", "1"), (EntryTag::Data, "b", "2")]);
        let b = cm(vec![(EntryTag::Data, "b", "2"), (EntryTag::Data, "a", "1")]);
        assert_eq!(digest(&a, None), digest(&b, None));
    }

    #[test]
    fn every_part_is_covered() {
        let base = cm(vec![(EntryTag::Data, "a", "1")]);
        let d = digest(&base, None);
        assert_ne!(d, digest(&cm(vec![(EntryTag::Data, "a", "2")]), None), "value");
        assert_ne!(d, digest(&cm(vec![(EntryTag::Data, "b", "1")]), None), "key");
        assert_ne!(d, digest(&cm(vec![(EntryTag::Binary, "a", "1")]), None), "tag");
        let secret = Content { kind: "Secret", secret_type: "Opaque", ..base.clone() };
        assert_ne!(d, digest(&secret, None), "kind");
        let tls = Content { secret_type: "kubernetes.io/tls", ..secret.clone() };
        assert_ne!(digest(&secret, None), digest(&tls, None), "type");
        // Length prefixes: moving bytes between key and value changes the hash.
        assert_ne!(
            digest(&cm(vec![(EntryTag::Data, "ab", "c")]), None),
            digest(&cm(vec![(EntryTag::Data, "a", "bc")]), None)
        );
        let key = HashKey::from_material(b"k");
        assert_ne!(digest(&secret, None), digest(&secret, Some(&key)), "keyed");
    }

    #[test]
    fn base32_alphabet_and_length() {
        assert_eq!(base32(&[0u8; 32]), "0".repeat(52));
        assert_eq!(base32(&[0xffu8; 32]), format!("{}g", "z".repeat(51)));
        let s = base32(&[0xa5u8; 32]);
        assert!(s.chars().all(|c| ALPHABET.contains(&(c as u8))));
    }
}
