//! Address ranges in CIDR notation (`192.168.0.0/24`, `fc02:c4f3::/64`), on `ipnet`'s
//! [`IpNet`]. The simulator derives `conflict-subnet` with them, and the plan predicts it.
//!
//! What this module adds to `ipnet` is the API's rule for naming a range: by its network
//! address, so `10.0.0.1/8` (host bits set) is refused with the address that was probably
//! meant, where `ipnet` would accept it; and a range is read and written as its text, so state
//! and world files read like the API's `address` fields.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

/// One address range of a network, by its network address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Cidr(IpNet);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    #[error("`{0}` is not an address range of the form ADDRESS/PREFIX, such as 10.0.0.0/24")]
    NotCidr(String),
    #[error("`{text}`: the prefix length must be 0 to {max}")]
    PrefixTooLong { text: String, max: u8 },
    #[error("`{text}` has host bits set; its network address is `{network}`")]
    HostBitsSet { text: String, network: String },
}

impl Cidr {
    /// The API's name for the address family: `IPv4` or `IPv6`.
    pub fn family(&self) -> &'static str {
        match self.0 {
            IpNet::V4(_) => "IPv4",
            IpNet::V6(_) => "IPv6",
        }
    }

    /// Whether the two ranges share an address. Ranges of different families never do.
    pub fn overlaps(&self, other: &Cidr) -> bool {
        // Two aligned ranges overlap exactly when one contains the other.
        self.0.contains(&other.0) || other.0.contains(&self.0)
    }
}

impl FromStr for Cidr {
    type Err = CidrError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let not_cidr = || CidrError::NotCidr(text.to_owned());
        let (address, prefix) = text.split_once('/').ok_or_else(not_cidr)?;
        let address: IpAddr = address.parse().map_err(|_| not_cidr())?;
        let prefix: u8 = prefix.parse().map_err(|_| not_cidr())?;
        let range = IpNet::new(address, prefix).map_err(|_| CidrError::PrefixTooLong {
            text: text.to_owned(),
            max: match address {
                IpAddr::V4(_) => 32,
                IpAddr::V6(_) => 128,
            },
        })?;
        // The API names a range by its network address; a host address is a typo.
        if range.trunc() != range {
            return Err(CidrError::HostBitsSet {
                text: text.to_owned(),
                network: range.trunc().to_string(),
            });
        }
        Ok(Cidr(range))
    }
}

impl TryFrom<String> for Cidr {
    type Error = CidrError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Cidr> for String {
    fn from(cidr: Cidr) -> String {
        cidr.to_string()
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Whether any range of `a` overlaps any range of `b` (IPv4 with IPv4, IPv6 with IPv6).
pub fn any_overlap(a: &[Cidr], b: &[Cidr]) -> bool {
    a.iter().any(|x| b.iter().any(|y| x.overlaps(y)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cidr(text: &str) -> Cidr {
        text.parse().unwrap()
    }

    #[test]
    fn parses_and_shows_both_families() {
        for (text, family) in [
            ("192.168.0.0/24", "IPv4"),
            ("0.0.0.0/0", "IPv4"),
            ("10.1.2.3/32", "IPv4"),
            ("fc02:c4f3::/64", "IPv6"),
            ("::/0", "IPv6"),
            ("2001:db8::1/128", "IPv6"),
        ] {
            let parsed = cidr(text);
            assert_eq!(parsed.to_string(), text);
            assert_eq!(parsed.family(), family);
        }
    }

    #[test]
    fn rejects_what_is_not_a_network_range() {
        for text in [
            "192.168.0.0",
            "192.168.0/24",
            "192.168.0.0/",
            "/24",
            "x/8",
            "10.0.0.0/a",
            "",
        ] {
            assert_eq!(
                text.parse::<Cidr>(),
                Err(CidrError::NotCidr(text.into())),
                "{text}"
            );
        }
        assert_eq!(
            "10.0.0.0/33".parse::<Cidr>(),
            Err(CidrError::PrefixTooLong {
                text: "10.0.0.0/33".into(),
                max: 32
            })
        );
        assert_eq!(
            "fc02::/129".parse::<Cidr>(),
            Err(CidrError::PrefixTooLong {
                text: "fc02::/129".into(),
                max: 128
            })
        );
        assert_eq!(
            "192.168.0.1/24".parse::<Cidr>(),
            Err(CidrError::HostBitsSet {
                text: "192.168.0.1/24".into(),
                network: "192.168.0.0/24".into()
            })
        );
        assert_eq!(
            "fc02:c4f3::1/64".parse::<Cidr>(),
            Err(CidrError::HostBitsSet {
                text: "fc02:c4f3::1/64".into(),
                network: "fc02:c4f3::/64".into()
            })
        );
    }

    #[test]
    fn overlap_is_symmetric_and_exact_at_the_edges() {
        let cases = [
            ("10.0.0.0/24", "10.0.0.0/24", true),
            ("10.0.0.0/24", "10.0.1.0/24", false),
            ("10.0.0.0/16", "10.0.200.0/24", true),
            ("10.0.0.0/23", "10.0.1.0/24", true),
            ("10.0.0.0/24", "10.0.0.255/32", true),
            ("10.0.0.0/24", "10.0.1.0/32", false),
            ("0.0.0.0/0", "192.168.0.0/24", true),
            ("192.168.0.0/24", "172.16.0.0/24", false),
            ("fc02:c4f3::/64", "fc02:c4f3::/48", true),
            ("fc02:c4f3::/64", "fc02:c4f4::/64", false),
            ("::/0", "fc02::/16", true),
            ("10.0.0.0/8", "::/0", false),
        ];
        for (a, b, expected) in cases {
            assert_eq!(cidr(a).overlaps(&cidr(b)), expected, "{a} vs {b}");
            assert_eq!(cidr(b).overlaps(&cidr(a)), expected, "{b} vs {a}");
        }
    }

    #[test]
    fn any_overlap_pairs_every_range() {
        let app = [cidr("192.168.0.0/24"), cidr("fc02:c4f3::/64")];
        assert!(any_overlap(&app, &[cidr("10.0.0.0/8"), cidr("fc02::/16")]));
        assert!(!any_overlap(&app, &[cidr("10.0.0.0/8"), cidr("fd00::/8")]));
        assert!(!any_overlap(&app, &[]));
    }

    #[test]
    fn reads_and_writes_as_a_string() {
        let json = serde_json::to_string(&cidr("fc02:c4f3::/64")).unwrap();
        assert_eq!(json, r#""fc02:c4f3::/64""#);
        assert!(serde_json::from_str::<Cidr>(r#""10.0.0.1/8""#).is_err());
    }
}
