//! Engine settings as `drv_mgr` shows and sets them (product.md §8, guide §13.8–13.10): the
//! read-write fragmentation and SA-request knobs, the read-only counters, and the lsp-managed
//! TCP values (which come from the loaded policy).
//!
//! Only the table and its texts live here; the agent owns the values.

use alloc::format;
use alloc::string::String;
use core::fmt::Write;

/// Access type column of `drv_mgr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `read-only`.
    ReadOnly,
    /// `read-write`.
    ReadWrite,
    /// `lsp-managed`.
    LspManaged,
}

impl Access {
    /// As printed.
    pub fn name(self) -> &'static str {
        match self {
            Access::ReadOnly => "read-only",
            Access::ReadWrite => "read-write",
            Access::LspManaged => "lsp-managed",
        }
    }
}

/// One property of the table: name, access, size in bytes, range (`None` = unlimited).
#[derive(Debug, Clone, Copy)]
pub struct Property {
    /// Name.
    pub name: &'static str,
    /// Access type.
    pub access: Access,
    /// Size in bytes.
    pub size: u8,
    /// Allowed range.
    pub range: Option<(u32, u32)>,
}

/// The properties in the manual's order.
pub const PROPERTIES: [Property; 18] = [
    Property {
        name: "pcap_minimal_mtu",
        access: Access::ReadOnly,
        size: 4,
        range: Some((0, 0)),
    },
    Property {
        name: "fw_tcp_closed_ttl",
        access: Access::LspManaged,
        size: 4,
        range: Some((1, 65535)),
    },
    Property {
        name: "fw_tcp_synsent_ttl",
        access: Access::LspManaged,
        size: 4,
        range: Some((1, 65535)),
    },
    Property {
        name: "fw_tcp_synrcvd_ttl",
        access: Access::LspManaged,
        size: 4,
        range: Some((1, 65535)),
    },
    Property {
        name: "fw_tcp_estab_ttl",
        access: Access::LspManaged,
        size: 4,
        range: Some((1, 65535)),
    },
    Property {
        name: "fw_tcp_fin_ttl",
        access: Access::LspManaged,
        size: 4,
        range: Some((1, 65535)),
    },
    Property {
        name: "fw_tcp_strictness",
        access: Access::LspManaged,
        size: 4,
        range: Some((0, 6)),
    },
    Property {
        name: "fw_tcp_open_max",
        access: Access::LspManaged,
        size: 4,
        range: Some((0, 1_000_000)),
    },
    Property {
        name: "fw_tcp_half_open_max",
        access: Access::LspManaged,
        size: 4,
        range: Some((0, 1_000_000)),
    },
    Property {
        name: "fw_tcp_half_open_low",
        access: Access::LspManaged,
        size: 4,
        range: Some((0, 1_000_000)),
    },
    Property {
        name: "fw_tcp_conn_rate_max",
        access: Access::LspManaged,
        size: 4,
        range: None,
    },
    Property {
        name: "fw_tcp_conn_rate_low",
        access: Access::LspManaged,
        size: 4,
        range: None,
    },
    Property {
        name: "frag_dont_grow_fragments",
        access: Access::ReadWrite,
        size: 1,
        range: Some((0, 1)),
    },
    Property {
        name: "frag_minimize_size",
        access: Access::ReadWrite,
        size: 1,
        range: Some((0, 1)),
    },
    Property {
        name: "frag_df_options",
        access: Access::ReadWrite,
        size: 1,
        range: Some((0, 3)),
    },
    Property {
        name: "ipsec_breq_max",
        access: Access::ReadWrite,
        size: 4,
        range: None,
    },
    Property {
        name: "ipsec_breq_count",
        access: Access::ReadOnly,
        size: 4,
        range: None,
    },
    Property {
        name: "ipsec_recursive_policy",
        access: Access::ReadOnly,
        size: 1,
        range: Some((0, 1)),
    },
];

/// The read-write settings the agent keeps (the defaults of table 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrvSettings {
    /// `frag_dont_grow_fragments`.
    pub frag_dont_grow_fragments: bool,
    /// `frag_minimize_size`.
    pub frag_minimize_size: bool,
    /// `frag_df_options` 0–3.
    pub frag_df_options: u8,
    /// `ipsec_breq_max`: concurrent SA-bundle requests.
    pub ipsec_breq_max: u32,
}

impl Default for DrvSettings {
    fn default() -> Self {
        DrvSettings {
            frag_dont_grow_fragments: false,
            frag_minimize_size: false,
            frag_df_options: 0,
            ipsec_breq_max: 1000,
        }
    }
}

/// Why `drv_mgr set` failed (the texts follow guide §13.35.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetError {
    /// `User Error: Property name "NAME" is unknown`.
    Unknown(String),
    /// The property is not read-write.
    NotWritable(String),
    /// Not a number or outside the range.
    BadValue(String, String),
}

impl core::fmt::Display for SetError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            SetError::Unknown(n) => write!(f, "User Error: Property name \"{n}\" is unknown"),
            SetError::NotWritable(n) => write!(
                f,
                "User Error: Value of \"{n}\" is not set. Error: property is not read-write."
            ),
            SetError::BadValue(n, v) => write!(
                f,
                "User Error: Value of \"{n}\" is not set to {v}. Error: value is out of range."
            ),
        }
    }
}

/// Looks a property up.
pub fn property(name: &str) -> Option<&'static Property> {
    PROPERTIES.iter().find(|p| p.name == name)
}

/// The `drv_mgr` (no arguments) table.
pub fn table() -> String {
    let mut o = String::from(
        "List of properties:\nName                     access type  size (in bytes) range [min-max]\n",
    );
    for p in &PROPERTIES {
        let range = match p.range {
            Some((a, b)) => format!("[{a}-{b}]"),
            None => String::from("unlimited"),
        };
        let _ = writeln!(
            o,
            "{:<24} {:<12} {:<15} {}",
            p.name,
            p.access.name(),
            p.size,
            range
        );
    }
    o
}

impl DrvSettings {
    /// Sets a read-write property from its `drv_mgr set` text.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), SetError> {
        let p = property(name).ok_or_else(|| SetError::Unknown(name.into()))?;
        if p.access != Access::ReadWrite {
            return Err(SetError::NotWritable(name.into()));
        }
        let bad = || SetError::BadValue(name.into(), value.into());
        let v: u32 = value.trim().parse().map_err(|_| bad())?;
        if let Some((lo, hi)) = p.range
            && !(lo..=hi).contains(&v)
        {
            return Err(bad());
        }
        match name {
            "frag_dont_grow_fragments" => self.frag_dont_grow_fragments = v == 1,
            "frag_minimize_size" => self.frag_minimize_size = v == 1,
            "frag_df_options" => self.frag_df_options = v as u8,
            "ipsec_breq_max" => self.ipsec_breq_max = v,
            _ => return Err(SetError::NotWritable(name.into())),
        }
        Ok(())
    }
}
