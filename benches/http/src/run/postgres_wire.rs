//! PostgreSQL statements per request, counted exactly on the wire: a loopback proxy between
//! the server under test and PostgreSQL that counts the statements the server sends.
//!
//! A statement is one `Execute` message (extended protocol: prepared statements, as both
//! drivers send them) or one `Query` message (simple protocol: `BEGIN`, `COMMIT`, or text
//! queries). Preparing a statement (`Parse`, `Describe`) is not counted: it happens once per
//! pooled connection, not per request. The proxy reads the client's side of the protocol:
//! untyped start-up packets (an `SSLRequest` or `GSSENCRequest`, then the `StartupMessage`),
//! then typed messages; the server's side is copied untouched. The URLs it hands out ask for no
//! TLS (`sslmode=disable`), which the proxy could not read through.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

use crate::serve::BoxError;

/// The codes of the start-up packets that precede the `StartupMessage`.
const SSL_REQUEST: u32 = 80_877_103;
const GSSENC_REQUEST: u32 = 80_877_104;

/// A counting proxy; its accept loop runs on a thread of its own until the process ends.
#[derive(Debug)]
pub(crate) struct StatementCounter {
    address: SocketAddr,
    statements: Arc<AtomicU64>,
}

impl StatementCounter {
    /// A proxy on a free loopback port in front of the PostgreSQL server of `url`.
    pub(crate) fn start(url: &str) -> Result<Self, BoxError> {
        let upstream: SocketAddr = authority(url)?.1.parse()?;
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?;
        let statements = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&statements);
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let counted = Arc::clone(&counted);
                thread::spawn(move || {
                    let _ = relay(client, upstream, &counted);
                });
            }
        });
        Ok(Self {
            address,
            statements,
        })
    }

    /// `url` through the proxy, without TLS.
    pub(crate) fn url(&self, url: &str) -> Result<String, BoxError> {
        let (start, _, rest) = authority(url)?;
        let separator = if rest.contains('?') { '&' } else { '?' };
        Ok(format!(
            "{start}{}{rest}{separator}sslmode=disable",
            self.address
        ))
    }

    /// The statements counted so far.
    pub(crate) fn statements(&self) -> u64 {
        self.statements.load(Ordering::SeqCst)
    }
}

/// `url` split around its `HOST:PORT`: what comes before it, it, and what follows it.
fn authority(url: &str) -> Result<(&str, &str, &str), BoxError> {
    let head = url.find("://").map_or(0, |at| at + 3);
    let start = url[head..].rfind('@').map_or(head, |at| head + at + 1);
    let end = url[start..]
        .find(['/', '?'])
        .map_or(url.len(), |at| start + at);
    let host_port = &url[start..end];
    if !host_port.contains(':') {
        return Err(format!("{url}: give the PostgreSQL port as HOST:PORT").into());
    }
    Ok((&url[..start], host_port, &url[end..]))
}

/// Copies `client`'s messages to the server and the server's answers back, counting statements.
fn relay(mut client: TcpStream, upstream: SocketAddr, counted: &AtomicU64) -> io::Result<()> {
    let mut server = TcpStream::connect(upstream)?;
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    let (mut from_server, mut to_client) = (server.try_clone()?, client.try_clone()?);
    thread::spawn(move || {
        let _ = io::copy(&mut from_server, &mut to_client);
        let _ = to_client.shutdown(std::net::Shutdown::Both);
    });
    // Start-up packets: a length, a code, the rest; repeated while the code asks for TLS first.
    loop {
        let packet = read_untyped(&mut client)?;
        server.write_all(&packet)?;
        let code = u32::from_be_bytes([packet[4], packet[5], packet[6], packet[7]]);
        if code != SSL_REQUEST && code != GSSENC_REQUEST {
            break;
        }
    }
    loop {
        let mut header = [0u8; 5];
        client.read_exact(&mut header)?;
        let length = u32::from_be_bytes([header[1], header[2], header[3], header[4]]) as usize;
        let mut body = vec![0u8; length.saturating_sub(4)];
        client.read_exact(&mut body)?;
        if matches!(header[0], b'E' | b'Q') {
            counted.fetch_add(1, Ordering::SeqCst);
        }
        server.write_all(&header)?;
        server.write_all(&body)?;
    }
}

/// One start-up packet: its 4-byte length (itself included), then the rest.
fn read_untyped(client: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut length = [0u8; 4];
    client.read_exact(&mut length)?;
    let total = u32::from_be_bytes(length) as usize;
    if !(8..=10_000).contains(&total) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a start-up packet",
        ));
    }
    let mut packet = vec![0u8; total];
    packet[..4].copy_from_slice(&length);
    client.read_exact(&mut packet[4..])?;
    Ok(packet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_split_around_host_and_port() {
        let url = "postgres://postgres@127.0.0.1:5432/bench";
        assert_eq!(
            authority(url).unwrap(),
            ("postgres://postgres@", "127.0.0.1:5432", "/bench")
        );
        assert_eq!(
            authority("postgres://u:p@ss@h:1?x=1").unwrap(),
            ("postgres://u:p@ss@", "h:1", "?x=1")
        );
        assert!(authority("postgres://h/db").is_err());
    }
}
