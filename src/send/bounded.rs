//! The server's side of an SMTP session, bounded: a reply line longer than RFC 5321 allows
//! (512 octets, here with a fourfold margin) or a reply larger than any sane one fails the
//! connection as soon as its bytes arrive, instead of being gathered in memory until a line
//! end that may never come (lettre checks a line's length only once it has read all of it).
//!
//! Under STARTTLS, lettre puts TLS on top of this stream, which then sees ciphertext: lines
//! mean nothing there, so only the size of what arrives between two writes is bounded, and
//! lettre's own checks bound the decrypted lines.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use lettre::transport::smtp::client::AsyncTokioStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The longest reply line accepted, CRLF included (RFC 5321 4.5.3.1.5: 512).
pub const MAX_LINE: usize = 2048;
/// The most the server may send between two of our writes (a multi-line EHLO reply is a few
/// hundred bytes; TLS records and tickets add a few KiB).
pub const MAX_BURST: usize = 64 * 1024;

/// A stream whose incoming lines and bursts are bounded.
#[derive(Debug)]
pub struct Bounded<S> {
    inner: S,
    /// Whether this stream carries the SMTP text itself (false once TLS runs on top of it).
    plaintext: Arc<AtomicBool>,
    line: usize,
    burst: usize,
}

impl<S> Bounded<S> {
    /// `plaintext` is shared with whoever starts TLS above the stream, to clear it then.
    pub fn new(inner: S, plaintext: Arc<AtomicBool>) -> Bounded<S> {
        Bounded {
            inner,
            plaintext,
            line: 0,
            burst: 0,
        }
    }

    fn check(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.burst += bytes.len();
        if self.burst > MAX_BURST {
            return Err(too_long(format!(
                "the server sent more than {MAX_BURST} bytes without waiting for us"
            )));
        }
        if self.plaintext.load(Ordering::Relaxed) {
            for &b in bytes {
                if b == b'\n' {
                    self.line = 0;
                } else {
                    self.line += 1;
                    if self.line >= MAX_LINE {
                        return Err(too_long(format!(
                            "a line from the server is longer than {MAX_LINE} bytes"
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

fn too_long(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

impl<S: AsyncRead + Unpin> AsyncRead for Bounded<S> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => Poll::Ready(this.check(&buf.filled()[before..])),
            other => other,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Bounded<S> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let r = Pin::new(&mut this.inner).poll_write(cx, data);
        if let Poll::Ready(Ok(n)) = &r
            && *n > 0
        {
            this.burst = 0;
        }
        r
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

impl<S: AsyncTokioStream> AsyncTokioStream for Bounded<S> {
    fn peer_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.inner.peer_addr()
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[tokio::test]
    async fn long_lines_and_bursts_fail() {
        let (mut server, client) = tokio::io::duplex(1 << 20);
        let mut s = Bounded::new(client, Arc::new(AtomicBool::new(true)));
        server.write_all(b"220 hello\r\n").await.unwrap();
        let mut buf = [0u8; 64];
        assert_eq!(s.read(&mut buf).await.unwrap(), 11);
        server.write_all(&[b'x'; MAX_LINE + 10]).await.unwrap();
        let mut big = vec![0u8; 8192];
        assert!(s.read(&mut big).await.is_err());

        let (mut server, client) = tokio::io::duplex(1 << 20);
        let mut s = Bounded::new(client, Arc::new(AtomicBool::new(false)));
        server.write_all(&[b'x'; MAX_LINE + 10]).await.unwrap();
        assert!(s.read(&mut big).await.is_ok(), "ciphertext has no lines");
        let mut failed = false;
        for _ in 0..20 {
            server.write_all(&[b'x'; 8192]).await.unwrap();
            if s.read(&mut big).await.is_err() {
                failed = true;
                break;
            }
        }
        assert!(failed, "a burst past the limit fails");
    }
}
