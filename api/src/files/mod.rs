//! File storage behind one small interface ([`BlobStore`]): content-addressed by SHA-256, so
//! a file is written once and never overwritten. [`FolderStore`] keeps files in a folder (under
//! the data directory by default); an object store would implement the same two methods.
//! [`sniff`] recognises a file's type from its content, against an allow-list.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;

use futures_util::stream::BoxStream;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};

/// A file as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    pub size: u64,
    /// The recognised media type.
    pub media_type: &'static str,
}

/// Why a file was not stored.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The content is not of an accepted type.
    #[error("{0}")]
    Refused(String),
    #[error("storage failed: {0}")]
    Io(#[from] io::Error),
}

type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where files live. Both methods are content-addressed: `put` returns the digest a file is
/// found by, and storing the same content twice keeps one copy.
pub trait BlobStore: Send + Sync {
    /// Stores `source` (read from its start) if its content is of an accepted type and at
    /// most `limit` bytes.
    fn put(&self, source: std::fs::File, limit: u64) -> Boxed<'_, Result<StoredFile, StoreError>>;

    /// The content stored under `sha256`, as a stream of chunks; `None` if there is none.
    fn open(
        &self,
        sha256: &str,
    ) -> Boxed<'_, io::Result<Option<BoxStream<'static, io::Result<bytes::Bytes>>>>>;
}

/// Files in a folder: `<root>/<first two hex digits>/<sha256>`, written to a temporary file,
/// flushed to disk, then renamed into place (so a crash never leaves a partial file under a
/// digest).
pub struct FolderStore {
    root: PathBuf,
}

impl FolderStore {
    /// A store in `root`, created if missing.
    pub fn new(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(Self { root })
    }

    fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        is_digest(sha256).then(|| self.root.join(&sha256[..2]).join(sha256))
    }
}

fn is_digest(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

/// The first bytes of a file, enough to recognise its type.
const HEAD: usize = 8192;

fn store_blocking(
    root: &Path,
    mut source: std::fs::File,
    limit: u64,
) -> Result<StoredFile, StoreError> {
    use std::io::Seek;
    source.seek(io::SeekFrom::Start(0))?;
    let temporary = root
        .join("tmp")
        .join(uuid::Uuid::new_v4().simple().to_string());
    let outcome = (|| {
        let mut target = std::fs::File::create(&temporary)?;
        let mut hasher = Sha256::new();
        let mut head = Vec::with_capacity(HEAD);
        let mut buffer = vec![0_u8; 64 * 1024];
        let mut size = 0_u64;
        loop {
            let read = source.read(&mut buffer)?;
            if read == 0 {
                break;
            }
            size += read as u64;
            if size > limit {
                return Err(StoreError::Refused(format!(
                    "the file is larger than {limit} bytes"
                )));
            }
            let chunk = &buffer[..read];
            if head.len() < HEAD {
                let take = (HEAD - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
            }
            hasher.update(chunk);
            target.write_all(chunk)?;
        }
        let media_type = sniff(&head, size).map_err(StoreError::Refused)?;
        target.sync_all()?;
        let sha256: String = hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        let folder = root.join(&sha256[..2]);
        std::fs::create_dir_all(&folder)?;
        let path = folder.join(&sha256);
        if path.exists() {
            std::fs::remove_file(&temporary)?;
        } else {
            std::fs::rename(&temporary, &path)?;
            // The rename itself survives a crash once the folder is flushed.
            std::fs::File::open(&folder)?.sync_all()?;
        }
        Ok(StoredFile {
            sha256,
            size,
            media_type,
        })
    })();
    if outcome.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    outcome
}

impl BlobStore for FolderStore {
    fn put(&self, source: std::fs::File, limit: u64) -> Boxed<'_, Result<StoredFile, StoreError>> {
        let root = self.root.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || store_blocking(&root, source, limit))
                .await
                .map_err(|error| StoreError::Io(io::Error::other(error)))?
        })
    }

    fn open(
        &self,
        sha256: &str,
    ) -> Boxed<'_, io::Result<Option<BoxStream<'static, io::Result<bytes::Bytes>>>>> {
        let path = self.path_of(sha256);
        Box::pin(async move {
            let Some(path) = path else {
                return Ok(None);
            };
            let file = match tokio::fs::File::open(&path).await {
                Ok(file) => file,
                Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
                Err(error) => return Err(error),
            };
            Ok(Some(chunks(file).boxed()))
        })
    }
}

/// The content of `file` in chunks of up to 64 KiB.
fn chunks(file: tokio::fs::File) -> impl Stream<Item = io::Result<bytes::Bytes>> + Send {
    use tokio::io::AsyncReadExt;
    futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buffer = vec![0_u8; 64 * 1024];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(read) => {
                buffer.truncate(read);
                Some((Ok(bytes::Bytes::from(buffer)), Some(file)))
            }
            Err(error) => Some((Err(error), None)),
        }
    })
}

/// The accepted types, recognised from `head` (a file's first bytes) and its `size`:
/// PDF, PNG, JPEG, OpenDocument and Office Open XML documents, and plain UTF-8 text (CSV
/// included). Markup (HTML, SVG, XML) is refused even as text: it could run in a browser.
pub fn sniff(head: &[u8], size: u64) -> Result<&'static str, String> {
    const ACCEPTED: &str =
        "accepted types are PDF, PNG, JPEG, OpenDocument, Office Open XML and plain UTF-8 text";
    if size == 0 {
        return Err("the file is empty".into());
    }
    if head.starts_with(b"%PDF-") {
        return Ok("application/pdf");
    }
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok("image/png");
    }
    if head.starts_with(b"\xff\xd8\xff") {
        return Ok("image/jpeg");
    }
    if head.starts_with(b"PK\x03\x04") {
        return zip_document(head)
            .ok_or_else(|| format!("this archive is not a document: {ACCEPTED}"));
    }
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        // A character cut by the end of the head is fine; anything else is not text.
        Err(error) if error.error_len().is_none() => {
            std::str::from_utf8(&head[..error.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => {
            return Err(format!(
                "the content is not of an accepted type: {ACCEPTED}"
            ));
        }
    };
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
    {
        return Err(format!(
            "the content is not of an accepted type: {ACCEPTED}"
        ));
    }
    let start = text.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with('<') {
        return Err("markup (HTML, SVG, XML) is not accepted: upload a PDF instead".into());
    }
    Ok("text/plain; charset=utf-8")
}

/// The type of a ZIP-based document, from its first entries.
fn zip_document(head: &[u8]) -> Option<&'static str> {
    // OpenDocument stores its type first, uncompressed, as the entry "mimetype".
    if head.get(30..38) == Some(b"mimetype") {
        let rest = head.get(38..)?;
        for (prefix, media_type) in [
            (
                &b"application/vnd.oasis.opendocument.text"[..],
                "application/vnd.oasis.opendocument.text",
            ),
            (
                b"application/vnd.oasis.opendocument.spreadsheet",
                "application/vnd.oasis.opendocument.spreadsheet",
            ),
            (
                b"application/vnd.oasis.opendocument.presentation",
                "application/vnd.oasis.opendocument.presentation",
            ),
        ] {
            if rest.starts_with(prefix) {
                return Some(media_type);
            }
        }
        return None;
    }
    let contains = |needle: &[u8]| head.windows(needle.len()).any(|window| window == needle);
    if !contains(b"[Content_Types].xml") {
        return None;
    }
    if contains(b"word/") {
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    } else if contains(b"xl/") {
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    } else if contains(b"ppt/") {
        Some("application/vnd.openxmlformats-officedocument.presentationml.presentation")
    } else {
        None
    }
}

/// A file name safe to store and to send back: the last path part, without control or
/// quoting characters, at most 200 characters; `file` when nothing is left.
pub fn clean_filename(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';' | '\\'))
        .take(200)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_owned();
    if cleaned.is_empty() {
        "file".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_recognised_from_content_not_names() {
        assert_eq!(sniff(b"%PDF-1.7\n...", 12), Ok("application/pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0", 10), Ok("image/png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0", 4), Ok("image/jpeg"));
        assert_eq!(
            sniff("titre;année\nA;2014\n".as_bytes(), 20),
            Ok("text/plain; charset=utf-8")
        );
        assert!(sniff(b"<!DOCTYPE html><script>alert(1)</script>", 40).is_err());
        assert!(sniff(b"  <svg xmlns='http://www.w3.org/2000/svg'/>", 40).is_err());
        assert!(sniff(b"\x7fELF\x02\x01\x01\0", 8).is_err());
        assert!(sniff(b"", 0).is_err());
        let mut odt = b"PK\x03\x04".to_vec();
        odt.resize(30, 0);
        odt.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.text");
        assert_eq!(
            sniff(&odt, 100),
            Ok("application/vnd.oasis.opendocument.text")
        );
        assert!(sniff(b"PK\x03\x04 just a zip", 100).is_err());
    }

    #[test]
    fn file_names_lose_paths_and_quotes() {
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(
            clean_filename("C:\\dossier\\Compte \"rendu\".pdf"),
            "Compte rendu.pdf"
        );
        assert_eq!(clean_filename(".."), "file");
        assert_eq!(clean_filename("dossier-pays.pdf"), "dossier-pays.pdf");
    }

    #[tokio::test]
    async fn the_same_content_is_stored_once_by_its_digest() {
        let root =
            std::env::temp_dir().join(format!("cuf-store-{}", uuid::Uuid::new_v4().simple()));
        let store = FolderStore::new(&root).expect("a folder");
        let write = |content: &[u8]| {
            let mut file = tempfile_in(&root);
            file.write_all(content).expect("writes");
            file
        };
        let first = store
            .put(write(b"%PDF-1.4 one"), 1024)
            .await
            .expect("stored");
        let again = store
            .put(write(b"%PDF-1.4 one"), 1024)
            .await
            .expect("stored");
        assert_eq!(first, again);
        assert_eq!(first.size, 12);
        let mut stream = store
            .open(&first.sha256)
            .await
            .expect("opens")
            .expect("found");
        let mut content = Vec::new();
        while let Some(chunk) = stream.next().await {
            content.extend_from_slice(&chunk.expect("reads"));
        }
        assert_eq!(content, b"%PDF-1.4 one");
        assert!(matches!(
            store.put(write(b"%PDF-1.4 too large"), 8).await,
            Err(StoreError::Refused(_))
        ));
        assert!(store.open(&"0".repeat(64)).await.expect("opens").is_none());
        assert!(store.open("../../x").await.expect("opens").is_none());
        let leftovers = std::fs::read_dir(root.join("tmp")).expect("tmp").count();
        assert_eq!(leftovers, 0, "refused files leave nothing behind");
        let _ = std::fs::remove_dir_all(&root);
    }

    fn tempfile_in(root: &Path) -> std::fs::File {
        let path = root.join(uuid::Uuid::new_v4().simple().to_string());
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .read(true)
            .write(true)
            .open(&path)
            .expect("a file");
        let _ = std::fs::remove_file(&path);
        file
    }
}
