//! TLS from the first byte (`smtps://`, RFC 8314) on a socket we opened ourselves, so that
//! `TCP_NODELAY` is set: lettre would open its own socket without it.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use lettre::transport::smtp::client::AsyncTokioStream;
use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::error::{Error, Result};

/// The client side of implicit TLS: the web's root certificates, plus any from `[send] ca_file`.
pub struct ImplicitTls {
    connector: TlsConnector,
}

impl ImplicitTls {
    pub fn new(extra_pem: Option<&[u8]>) -> Result<ImplicitTls> {
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(pem) = extra_pem {
            let mut added = 0;
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|e| Error::bad_input(format!("[send] ca_file: {e}")))?;
                roots
                    .add(cert)
                    .map_err(|e| Error::bad_input(format!("[send] ca_file: {e}")))?;
                added += 1;
            }
            if added == 0 {
                return Err(Error::bad_input("[send] ca_file holds no PEM certificate"));
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::failure(format!("cannot set up TLS: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(ImplicitTls {
            connector: TlsConnector::from(Arc::new(config)),
        })
    }

    /// Runs the handshake on `tcp`, checking the certificate against `host`.
    pub async fn wrap(&self, tcp: TcpStream, host: &str) -> std::result::Result<Tls, String> {
        let name = ServerName::try_from(host.to_string()).map_err(|e| format!("{host}: {e}"))?;
        self.connector
            .connect(name, tcp)
            .await
            .map(|s| Tls(Box::new(s)))
            .map_err(|e| format!("TLS with {host} failed: {e}"))
    }
}

/// A TLS stream lettre can talk SMTP over.
#[derive(Debug)]
pub struct Tls(Box<TlsStream<TcpStream>>);

impl AsyncTokioStream for Tls {
    fn peer_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for Tls {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Tls {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_shutdown(cx)
    }
}
