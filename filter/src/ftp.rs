//! FTP control-channel parsing for the stateful tracker (guide §13.20.5 FTP messages): the
//! commands and replies that open data connections (`PORT`, `EPRT`, `227`, `229`) and the
//! login reply (`230`).
//!
//! Only the first line of each segment is parsed, at most [`MAX_LINE`] bytes: a command split
//! across segments is not recognised, so its data connection is not admitted (fail closed). It
//! allocates nothing and never panics on any input.

use core::net::Ipv4Addr;

/// Longest control line looked at.
pub const MAX_LINE: usize = 512;

/// What a control-channel line means to the tracker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FtpLine {
    /// `230` reply: the user is logged in.
    LoggedIn,
    /// `PORT h1,h2,h3,h4,p1,p2` or `EPRT |1|addr|port|` (active mode, client → server).
    Port {
        /// Address the client listens on.
        addr: Ipv4Addr,
        /// Port it listens on.
        port: u16,
    },
    /// `227 … (h1,h2,h3,h4,p1,p2)` reply (passive mode, server → client).
    Pasv {
        /// Address the server listens on.
        addr: Ipv4Addr,
        /// Port.
        port: u16,
    },
    /// `229 … (|||port|)` reply (extended passive mode; the address is the control peer's).
    Epsv {
        /// Port.
        port: u16,
    },
    /// Anything else.
    Other,
}

fn six_numbers(s: &[u8]) -> Option<(Ipv4Addr, u16)> {
    let mut n = [0u16; 6];
    let mut i = 0;
    let mut have = false;
    for &b in s {
        match b {
            b'0'..=b'9' => {
                let v = n.get_mut(i)?;
                *v = v.checked_mul(10)?.checked_add(u16::from(b - b'0'))?;
                if *v > 255 {
                    return None;
                }
                have = true;
            }
            b',' if have => {
                i += 1;
                have = false;
            }
            b' ' if i == 0 && !have => {}
            _ => break,
        }
    }
    if i != 5 || !have {
        return None;
    }
    let addr = Ipv4Addr::new(n[0] as u8, n[1] as u8, n[2] as u8, n[3] as u8);
    Some((addr, n[4] << 8 | n[5]))
}

fn number(s: &[u8]) -> Option<u16> {
    let mut v: u32 = 0;
    if s.is_empty() || s.len() > 5 {
        return None;
    }
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(b - b'0');
    }
    u16::try_from(v).ok()
}

/// Parses the first line of a control-channel segment. `from_client` tells which side sent it.
pub fn parse(payload: &[u8], from_client: bool) -> FtpLine {
    let end = payload
        .iter()
        .take(MAX_LINE)
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(payload.len().min(MAX_LINE));
    let line = payload.get(..end).unwrap_or(&[]);
    if from_client {
        if line.len() >= 5 && line[..5].eq_ignore_ascii_case(b"PORT ") {
            if let Some((addr, port)) = six_numbers(&line[5..]) {
                return FtpLine::Port { addr, port };
            }
        } else if line.len() >= 5 && line[..5].eq_ignore_ascii_case(b"EPRT ") {
            // EPRT |1|a.b.c.d|port|  (any delimiter, protocol 1 = IPv4)
            let rest = &line[5..];
            if let Some(&d) = rest.first() {
                let mut parts = rest[1..].split(|&b| b == d);
                if let (Some(b"1"), Some(a), Some(p)) = (parts.next(), parts.next(), parts.next())
                    && let (Some(addr), Some(port)) = (
                        core::str::from_utf8(a).ok().and_then(|s| s.parse().ok()),
                        number(p),
                    )
                {
                    return FtpLine::Port { addr, port };
                }
            }
        }
        return FtpLine::Other;
    }
    if line.starts_with(b"230") {
        return FtpLine::LoggedIn;
    }
    if line.starts_with(b"227") {
        if let Some(open) = line.iter().position(|&b| b == b'(')
            && let Some((addr, port)) = six_numbers(&line[open + 1..])
        {
            return FtpLine::Pasv { addr, port };
        }
        // some servers omit the parenthesis: take the first digit run
        if let Some(first) = line[3..].iter().position(|b| b.is_ascii_digit())
            && let Some((addr, port)) = six_numbers(&line[3 + first..])
        {
            return FtpLine::Pasv { addr, port };
        }
    }
    if line.starts_with(b"229")
        && let Some(open) = line.iter().position(|&b| b == b'(')
    {
        let inner = &line[open + 1..];
        if let Some(&d) = inner.first()
            && inner.len() > 3
            && inner[1] == d
            && inner[2] == d
        {
            let digits = &inner[3..];
            let n = digits.iter().position(|&b| b == d).unwrap_or(digits.len());
            if let Some(port) = number(&digits[..n]) {
                return FtpLine::Epsv { port };
            }
        }
    }
    FtpLine::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_and_replies() {
        assert_eq!(
            parse(b"PORT 10,0,0,5,195,80\r\n", true),
            FtpLine::Port {
                addr: Ipv4Addr::new(10, 0, 0, 5),
                port: 195 * 256 + 80
            }
        );
        assert_eq!(
            parse(b"port 10,0,0,5,0,21\r\n", true),
            FtpLine::Port {
                addr: Ipv4Addr::new(10, 0, 0, 5),
                port: 21
            }
        );
        assert_eq!(
            parse(b"EPRT |1|10.0.0.5|50000|\r\n", true),
            FtpLine::Port {
                addr: Ipv4Addr::new(10, 0, 0, 5),
                port: 50000
            }
        );
        assert_eq!(
            parse(b"227 Entering Passive Mode (10,0,5,10,156,64).\r\n", false),
            FtpLine::Pasv {
                addr: Ipv4Addr::new(10, 0, 5, 10),
                port: 156 * 256 + 64
            }
        );
        assert_eq!(
            parse(b"227 Entering Passive Mode 10,0,5,10,156,64\r\n", false),
            FtpLine::Pasv {
                addr: Ipv4Addr::new(10, 0, 5, 10),
                port: 156 * 256 + 64
            }
        );
        assert_eq!(
            parse(b"229 Entering Extended Passive Mode (|||40001|)\r\n", false),
            FtpLine::Epsv { port: 40001 }
        );
        assert_eq!(
            parse(b"230 Login successful.\r\n", false),
            FtpLine::LoggedIn
        );
        // replies are not commands and vice versa
        assert_eq!(parse(b"230 x", true), FtpLine::Other);
        assert_eq!(parse(b"PORT 1,2,3,4,5,6", false), FtpLine::Other);
        for bad in [
            &b"PORT 1,2,3,4,5"[..],
            b"PORT 1,2,3,4,5,256",
            b"PORT 1,2,3,4,5,6,7,8,9,1,2",
            b"PORT ,,,,,",
            b"PORT 99999999999999999999,1,1,1,1,1",
            b"EPRT |2|::1|5|",
            b"EPRT |1|10.0.0.5|99999|",
            b"EPRT",
        ] {
            assert_eq!(parse(bad, true), FtpLine::Other, "{bad:?}");
        }
        assert_eq!(parse(b"229 (|||)", false), FtpLine::Other);
        assert_eq!(parse(b"227 (", false), FtpLine::Other);
        assert_eq!(parse(b"", false), FtpLine::Other);
    }
}
