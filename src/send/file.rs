//! The file transport: each letter as an `.eml` file, for the demo and for a mail house that
//! takes files.

use std::path::PathBuf;

use super::smtp::Delivery;

/// The file transport: the message written whole under a temporary name, then renamed, so
/// that a file exists only for a letter handed over completely.
pub async fn write_file(dir: PathBuf, id: i64, bytes: Vec<u8>) -> Delivery {
    let result = tokio::task::spawn_blocking(move || {
        let path = dir.join(format!("{id}.eml"));
        let tmp = dir.join(format!(".{id}.eml.tmp"));
        let _ = std::fs::remove_file(&tmp);
        crate::private_file::write(&tmp, &bytes)?;
        std::fs::rename(&tmp, &path)?;
        Ok::<_, std::io::Error>(path)
    })
    .await;
    match result {
        Ok(Ok(path)) => Delivery::Accepted(format!("written to {}", path.display())),
        Ok(Err(e)) => Delivery::NotDelivered(format!("cannot write the file: {e}")),
        Err(e) => Delivery::NotDelivered(format!("cannot write the file: {e}")),
    }
}
