//! The client's address for per-address throttles. Behind a reverse proxy
//! every request comes from the proxy, so for peers listed as trusted proxies
//! the address is read from `X-Forwarded-For` instead: the rightmost entry
//! that is not itself a trusted proxy (entries further left are whatever the
//! client chose to send, and could be forged).

use std::net::IpAddr;

use crate::server::settings::AddressBlock;

/// The client's address: `peer`, or for a trusted peer the rightmost
/// untrusted address of the `X-Forwarded-For` values.
pub fn client_address<'a>(
    peer: IpAddr,
    forwarded_for: impl DoubleEndedIterator<Item = &'a str>,
    trusted: &[AddressBlock],
) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|block| block.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    let mut client = peer;
    for value in forwarded_for.rev() {
        for entry in value.rsplit(',') {
            match entry.trim().parse::<IpAddr>() {
                Ok(ip) if is_trusted(ip) => client = ip,
                Ok(ip) => return ip,
                // Garbage from further left cannot be trusted either.
                Err(_) => return client,
            }
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(list: &[&str]) -> Vec<AddressBlock> {
        list.iter().map(|b| b.parse().unwrap()).collect()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn blocks_parse_and_match() {
        let lan: AddressBlock = "10.0.0.0/8".parse().unwrap();
        assert!(lan.contains(ip("10.20.30.40")));
        assert!(lan.contains(ip("::ffff:10.1.1.1")));
        assert!(!lan.contains(ip("11.0.0.1")));
        let one: AddressBlock = "::1".parse().unwrap();
        assert!(one.contains(ip("::1")));
        assert!(!one.contains(ip("::2")));
        assert!("0.0.0.0/0"
            .parse::<AddressBlock>()
            .unwrap()
            .contains(ip("8.8.8.8")));
        assert!("10.0.0.0/33".parse::<AddressBlock>().is_err());
        assert!("proxy".parse::<AddressBlock>().is_err());
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted = blocks(&["127.0.0.1", "10.0.0.0/8"]);
        // Straight from the internet: the header is ignored.
        assert_eq!(
            client_address(ip("203.0.113.9"), ["1.2.3.4"].into_iter(), &trusted),
            ip("203.0.113.9")
        );
        // Through our proxy: the address it saw.
        assert_eq!(
            client_address(ip("127.0.0.1"), ["203.0.113.9"].into_iter(), &trusted),
            ip("203.0.113.9")
        );
        // A forged entry on the left is skipped; two proxies deep.
        assert_eq!(
            client_address(
                ip("127.0.0.1"),
                ["6.6.6.6, 203.0.113.9", "10.1.2.3"].into_iter(),
                &trusted
            ),
            ip("203.0.113.9")
        );
        // Nothing usable: the innermost proxy.
        assert_eq!(
            client_address(ip("127.0.0.1"), ["nonsense"].into_iter(), &trusted),
            ip("127.0.0.1")
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), std::iter::empty(), &trusted),
            ip("127.0.0.1")
        );
    }
}
