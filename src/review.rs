//! `--html FILE` and `--open`: the review page on disk.
//!
//! Sections go to an anonymous temporary file as documents are cleaned, so a run over a large
//! crawl holds one batch of documents in memory, not the page. At the end the page (head,
//! summary, table, then a copy of the sections) is written to a `.paradedup-*.tmp` file next
//! to FILE, synced and renamed over FILE: an interrupted run leaves the previous page, or
//! none, never half of one.

use std::fs::File;
use std::io::{self, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use paradedup::html::{Document, Page, Section};
use paradedup::jsonl::top_level_text;
use paradedup::Cleaned;
use tempfile::NamedTempFile;

use crate::files::{is_stream, replaceable, without_temp_name};

/// The page being built.
pub struct Review {
    path: PathBuf,
    page: Page,
    sections: BufWriter<File>,
    /// Created up front, so a FILE that cannot be written fails the run before any work.
    out: NamedTempFile,
    next: usize,
}

impl Review {
    /// Starts a page to be written to `path`. A directory there is an error at once.
    pub fn create(path: &Path) -> io::Result<Review> {
        if !is_stream(path).map_err(|err| context(err, "cannot write the page to", path))? {
            let page = replaceable(path, b"<!DOCTYPE html>", "a review page");
            page.map_err(|err| io::Error::new(err.kind(), format!("--html {err}")))?;
        }
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".paradedup-").suffix(".tmp");
        #[cfg(unix)]
        {
            // A page to open in a browser, not a secret: 0o666 less the umask, like any file
            // a shell redirection creates (tempfile's default is 0o600).
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(0o666));
        }
        let out = builder.tempfile_in(dir).map_err(|err| {
            let what = format!(
                "--html {}: cannot create a temporary file in",
                path.display()
            );
            context(without_temp_name(err), &what, dir)
        })?;
        // The same protocol as files::write_atomic: a `.paradedup-*.tmp` file that is locked
        // is alive, so a sweep of stale temporary files (by an in-place write into the same
        // directory, in this run or another) leaves it alone; one left by a killed run is not
        // locked and gets swept.
        let _ = out.as_file().try_lock();
        let sections = tempfile::tempfile()
            .map_err(|err| context(err, "cannot create a temporary file for", path))?;
        Ok(Review {
            path: path.to_path_buf(),
            page: Page::new(),
            sections: BufWriter::with_capacity(1 << 16, sections),
            out,
            next: 1,
        })
    }

    /// Reserves `count` document numbers (anchors) and returns the first.
    pub fn reserve(&mut self, count: usize) -> usize {
        let first = self.next;
        self.next += count;
        first
    }

    /// Adds a document's section, in page order.
    pub fn add(&mut self, section: Section) -> io::Result<()> {
        self.page
            .add(section, &mut self.sections)
            .map_err(|err| context(err, "cannot write the sections of", &self.path))
    }

    /// Writes the page to its file and returns the path. `failed` adds a note that some
    /// inputs are missing from it.
    pub fn finish(mut self, failed: bool) -> io::Result<PathBuf> {
        if failed {
            self.page.note(
                "Some inputs could not be cleaned and are not in this page: see the messages \
                 paradedup printed.",
            );
        }
        let path = self.path;
        let writing = |err| context(err, "cannot write", &path);
        let mut sections = self
            .sections
            .into_inner()
            .map_err(|e| writing(e.into_error()))?;
        sections.rewind().map_err(writing)?;
        let mut out = BufWriter::with_capacity(1 << 16, self.out.as_file_mut());
        self.page
            .finish(&mut out, &mut sections)
            .and_then(|()| out.flush())
            .map_err(writing)?;
        drop(out);
        if is_stream(&path).map_err(writing)? {
            // A pipe or a device (`--html >(gzip > page.html.gz)`): written to as it is, not
            // replaced by a file. Opened only now, as a pipe's open waits for its reader.
            let page = self.out.as_file_mut();
            page.rewind().map_err(writing)?;
            let mut stream = File::options().write(true).open(&path).map_err(writing)?;
            io::copy(page, &mut stream).map_err(writing)?;
            return Ok(path);
        }
        self.out.as_file().sync_all().map_err(writing)?;
        self.out
            .persist(&path)
            .map_err(|err| context(err.error, "cannot replace", &path))?;
        // Best effort, as in files::write_atomic: the page is in place whether or not the
        // rename reached the disk yet.
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if let Ok(dir) = File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(path)
    }
}

/// The section of one JSON Lines record, named `name` (`file:LINE`) and by its `id` and `url`.
pub fn record_section(number: usize, name: &str, line: &[u8], cleaned: &Cleaned<'_>) -> Section {
    let line = std::str::from_utf8(line).unwrap_or_default();
    let id = top_level_text(line, "id");
    let url = top_level_text(line, "url");
    let doc = Document {
        number,
        name,
        id: id.as_deref(),
        url: url.as_deref(),
    };
    Section::new(&doc, cleaned)
}

/// Opens `path` in the user's browser when there is a display to show it on; otherwise, or
/// when that fails, says where the page is. Never fails the run: the page is written already.
pub fn open(path: &Path) {
    let shown = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let display = cfg!(any(target_os = "macos", windows))
        || ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()));
    if !display {
        stderr_line!(
            "paradedup: no display to open a browser on; open {} in one",
            shown.display()
        );
        return;
    }
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    let spawned = Command::new(program)
        .arg(&shown)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match spawned {
        // Not waited for: some openers stay until the browser they started is closed. The
        // child is reaped by the system when paradedup exits a moment later.
        Ok(child) => drop(child),
        Err(err) => stderr_line!(
            "paradedup: cannot run {program} ({err}); open {} in a browser",
            shown.display()
        ),
    }
}

/// Wraps `err` with what failed and where, keeping its kind.
fn context(err: io::Error, what: &str, path: &Path) -> io::Error {
    io::Error::new(err.kind(), format!("{what} {}: {err}", path.display()))
}
