//! Input files and output files: which files the command line names, and how cleaned text
//! reaches disk.
//!
//! [`expand`] turns the `FILE` arguments into [`Source`]s, walking directories with
//! `--recursive`. [`Writes`] replaces files so that a crash, a full disk or a kill leaves
//! either the old content or the new one, never a mix, and makes a batch of them durable
//! together; [`write_atomic`] does so for one file, and [`output_path`] names `--output-dir`'s
//! copies.
//!
//! # Temporary files
//!
//! New content is written to `.paradedup-XXXXXX.tmp` next to the file it replaces, then renamed
//! over it. A process killed before the rename (SIGKILL, power loss) leaves that temporary file
//! behind, and the original untouched. The next run that writes into the same directory removes
//! such leftovers: a running paradedup holds an advisory lock on each temporary file from the
//! moment it exists until it is renamed, so a `.paradedup-*.tmp` file that nobody holds a lock
//! on, and that is more than a second old, belongs to a process that is gone
//! ([`remove_stale_temps`]). The names start with a dot, so walks skip them.
//!
//! This is the binary's module, not the library's: the library never touches the file system.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use walkdir::WalkDir;

/// Globs used by `--recursive` when no `--glob` is given: the two formats paradedup reads.
const DEFAULT_GLOBS: [&str; 2] = ["*.txt", "*.jsonl"];

/// Temporary files are `.paradedup-XXXXXX.tmp`: hidden, and recognizably ours.
const TEMP_PREFIX: &str = ".paradedup-";
const TEMP_SUFFIX: &str = ".tmp";
/// An unlocked temporary file younger than this may belong to a process that has just created
/// it and is about to lock it; older ones are left over from a killed run.
const STALE_AFTER: Duration = Duration::from_secs(1);

/// One input to clean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Standard input, named `-` on the command line.
    Stdin,
    /// A file, named on the command line or found by walking a directory.
    File {
        /// Where to read it, as given or as the walk built it (`root` joined with the rest).
        path: PathBuf,
        /// The directory walked to find it; `None` for a file named on the command line.
        /// `--output-dir` mirrors `path` relative to this.
        root: Option<PathBuf>,
    },
}

/// What [`expand`] yields for each input: a source, or the path that failed and why.
pub type Expanded = Result<Source, (PathBuf, io::Error)>;

/// Expands command-line inputs into sources, in command-line order.
///
/// - `-` is standard input.
/// - A file (or anything else that is not a directory, such as a FIFO from `<(...)`) is taken
///   as given: `globs` never filter a file the user named, as in ripgrep.
/// - A directory is an error unless `recursive`; then it is walked in file-name order, without
///   following symbolic links and skipping names that start with `.`, keeping regular files
///   whose name or path relative to the directory matches one of `globs` (`*.txt` and
///   `*.jsonl` when `globs` is empty).
///
/// Failures are entries, not an early return, so one unreadable input or subdirectory does not
/// hide the others. The exception is an invalid glob: then the result holds only the glob
/// errors, because cleaning some files while a filter the user asked for is broken (and with
/// `--in-place`, rewriting them) would be worse than doing nothing.
pub fn expand(inputs: &[PathBuf], recursive: bool, globs: &[String]) -> Vec<Expanded> {
    expand_skipping(inputs, recursive, globs, None)
}

/// [`expand`], not walking into the directory `skip` (an `--output-dir` inside the tree it
/// cleans: a second run would clean the first run's copies into a copy of it).
pub fn expand_skipping(
    inputs: &[PathBuf],
    recursive: bool,
    globs: &[String],
    skip: Option<&Path>,
) -> Vec<Expanded> {
    let skip = skip.and_then(FileId::of);
    let globs = match build_globs(globs) {
        Ok(set) => set,
        Err(errors) => return errors.into_iter().map(Err).collect(),
    };
    let mut sources = Vec::with_capacity(inputs.len());
    for input in inputs {
        if input.as_os_str() == "-" {
            sources.push(Ok(Source::Stdin));
            continue;
        }
        // `metadata` follows symbolic links, so a link named on the command line is read
        // (or walked) like its target.
        match fs::metadata(input) {
            Ok(meta) if meta.is_dir() => {
                if recursive {
                    walk(input, &globs, skip.as_ref(), &mut sources);
                } else {
                    let err = io::Error::new(
                        io::ErrorKind::IsADirectory,
                        "is a directory (use --recursive)",
                    );
                    sources.push(Err((input.clone(), err)));
                }
            }
            Ok(_) => sources.push(Ok(Source::File {
                path: input.clone(),
                root: None,
            })),
            Err(err) => sources.push(Err((input.clone(), err))),
        }
    }
    sources
}

/// Says so on stderr when the directories walked held no file to read: a run that reads
/// nothing is most likely a glob that matches nothing, or the wrong directory.
pub fn warn_if_nothing(found: usize, inputs: &[PathBuf], globs: &[String]) {
    if found > 0 || inputs.is_empty() {
        return;
    }
    let patterns = match globs.is_empty() {
        true => DEFAULT_GLOBS.join(", "),
        false => globs.join(", "),
    };
    let dirs: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    stderr_line!(
        "paradedup: warning: no file to read in {} (files matching {patterns})",
        dirs.join(", ")
    );
}

/// Compiles `--glob` patterns, or the defaults when there are none. On failure, returns one
/// error per bad pattern so the user can fix them all at once.
fn build_globs(globs: &[String]) -> Result<GlobSet, Vec<(PathBuf, io::Error)>> {
    let patterns: Vec<&str> = if globs.is_empty() {
        DEFAULT_GLOBS.to_vec()
    } else {
        globs.iter().map(String::as_str).collect()
    };
    let mut builder = GlobSetBuilder::new();
    let mut errors = Vec::new();
    for pattern in patterns {
        // `*` stops at `/`, as in .gitignore and ripgrep's `--glob`: `*.txt` still matches
        // everywhere through the file name, and `news/*.txt` means files directly in news/.
        match GlobBuilder::new(pattern).literal_separator(true).build() {
            Ok(glob) => {
                builder.add(glob);
            }
            // globset's message already quotes the pattern ("error parsing glob '[a': ...").
            Err(err) => errors.push((
                PathBuf::from("--glob"),
                io::Error::new(io::ErrorKind::InvalidInput, err),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    builder.build().map_err(|err| {
        vec![(
            PathBuf::from("--glob"),
            io::Error::new(io::ErrorKind::InvalidInput, err),
        )]
    })
}

/// Walks `dir`, appending matching files and any errors met on the way to `sources`, and
/// passing over the directory `skip`.
fn walk(dir: &Path, globs: &GlobSet, skip: Option<&FileId>, sources: &mut Vec<Expanded>) {
    // Sorting makes the order, and so the output and the cross-document decisions, the same
    // on every run and every file system. Links are not followed so a walk cannot loop or
    // escape the tree, and so `--in-place` never rewrites a file outside it.
    let walker = WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        // The root itself is never skipped: `paradedup -r .` or `-r .cache` means it.
        // The skipped directory is looked for below the root only: an output directory that
        // is the input itself is refused later, as every copy would replace its original.
        .filter_entry(|entry| {
            let skipped = || FileId::of(entry.path()).as_ref() == skip;
            entry.depth() == 0
                || !(is_hidden(entry.file_name())
                    || skip.is_some() && entry.file_type().is_dir() && skipped())
        });
    for entry in walker {
        match entry {
            Ok(entry) => {
                if !entry.file_type().is_file() {
                    continue;
                }
                let relative = entry.path().strip_prefix(dir).unwrap_or(entry.path());
                if globs.is_match(entry.file_name()) || globs.is_match(relative) {
                    sources.push(Ok(Source::File {
                        path: entry.into_path(),
                        root: Some(dir.to_path_buf()),
                    }));
                }
            }
            Err(err) => {
                let path = err.path().unwrap_or(dir).to_path_buf();
                // The bare io::Error: walkdir's own Display repeats the path, which the caller
                // already prints in front of the message. Only a link loop has no io::Error,
                // and without following links there are none.
                let message = err.to_string();
                let err = err
                    .into_io_error()
                    .unwrap_or_else(|| io::Error::other(message));
                sources.push(Err((path, err)));
            }
        }
    }
}

/// Dot files and directories are skipped, as ripgrep and fd do: they hold tool state
/// (`.git`, editor backups, our own `.paradedup-*.tmp` leftovers), not articles.
fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

/// What tells two paths to one file apart from paths to two files: device and inode on Unix,
/// read without opening the file (opening a FIFO would wait for a writer); the canonical path
/// elsewhere. `None` for a path that does not exist (nor its link's target).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileId(#[cfg(unix)] (u64, u64), #[cfg(not(unix))] PathBuf);

impl FileId {
    /// The file `path` names, through links.
    pub fn of(path: &Path) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            fs::metadata(path).ok().map(|m| FileId((m.dev(), m.ino())))
        }
        #[cfg(not(unix))]
        {
            fs::canonicalize(path).ok().map(FileId)
        }
    }
}

/// Refuses to replace a file at `path` that holds something else than what is to be written
/// there (`what`, whose files start with `start`): `--html *.txt`, where the shell made the
/// first article the page's name, or `learn -o` naming the crawl. A missing or empty file, a
/// pipe and a device pass.
pub fn replaceable(path: &Path, start: &[u8], what: &str) -> io::Result<()> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_file() && meta.len() > 0 => {}
        _ => return Ok(()),
    }
    let mut head = vec![0; start.len()];
    let read = File::open(path).and_then(|mut file| file.read_exact(&mut head));
    if read.is_ok() && head == start {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "{}: not {what}, and would be replaced by one (remove it, or name another file)",
            path.display()
        ),
    ))
}

/// Where `--output-dir` writes the cleaned copy of `source_path`.
///
/// A walked file keeps its place in the tree: `output_dir/<source_path relative to root>`.
/// A file named on the command line lands directly in `output_dir` under its file name, so
/// `a/x.txt` and `b/x.txt` both map to `output_dir/x.txt` (a run refuses that before it
/// starts). A path with no
/// file name (only `..` can be one, and it is a directory) maps to `output_dir` itself, which
/// then fails to be written rather than landing somewhere unexpected. Creates nothing.
pub fn output_path(source_path: &Path, root: Option<&Path>, output_dir: &Path) -> PathBuf {
    if let Some(relative) = root.and_then(|root| source_path.strip_prefix(root).ok()) {
        return output_dir.join(relative);
    }
    match source_path.file_name() {
        Some(name) => output_dir.join(name),
        None => output_dir.to_path_buf(),
    }
}

/// Replaces the content of `path` with `bytes` atomically and durably: readers, and the file
/// after a crash, see either the old content or the new one. [`Writes::replace`] for one file,
/// then [`Writes::sync`].
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let writes = Writes::default();
    writes.replace(path, bytes)?;
    writes.sync();
    Ok(())
}

/// Files replaced atomically whose renames are made durable together: a run that writes
/// thousands of files into one directory syncs that directory once, at [`Writes::sync`], not
/// once per file.
///
/// Each file's data is synced before the file gets its name, so a crash at any moment leaves
/// every file with either its old content or its new one, never a mix or an empty file; a
/// crash before [`Writes::sync`] may undo renames, which leaves old content. Shared by the
/// threads that write.
#[derive(Debug, Default)]
pub struct Writes {
    /// The directories written into, each swept of stale temporary files on its first write
    /// and synced by [`Writes::sync`].
    dirs: Mutex<HashSet<PathBuf>>,
}

impl Writes {
    /// Replaces the content of `path` with `bytes` atomically: readers, and the file after a
    /// crash, see either the old content or the new one.
    ///
    /// The bytes go to a `.paradedup-*.tmp` file in the same directory (a rename is only
    /// atomic within one file system), which is synced, given the original's permissions (and,
    /// on Unix, its owner and group when allowed), then renamed over `path`; [`Writes::sync`]
    /// later syncs the directory so the rename itself survives a crash. If `path` is a symbolic
    /// link, its target is replaced and the link kept, as an editor would. A hard link to
    /// `path` elsewhere keeps the old content: rename makes a new file.
    ///
    /// Only a regular file (or a link to one) is replaced: a FIFO, a device or a socket at
    /// `path` is an `InvalidInput` error, since renaming over it would swap the special file
    /// for a regular one.
    ///
    /// The first write into a directory also removes temporary files left there by killed runs
    /// (see the [module docs](self)).
    ///
    /// On error the temporary file is removed and `path` is untouched. Errors keep the kind of
    /// the underlying error and say what failed and where, e.g. `cannot create a temporary file
    /// in /dir: Permission denied (os error 13)`.
    pub fn replace(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let mut pending = self.begin(path)?;
        pending.write_all(bytes)?;
        self.commit(pending)
    }

    /// Starts replacing `path`, as [`Writes::replace`] does, for content written piece by
    /// piece: the [`Pending`] file takes the bytes, and [`Writes::commit`] puts it in place.
    /// Dropping it instead leaves `path` untouched and deletes the temporary file.
    pub fn begin(&self, path: &Path) -> io::Result<Pending> {
        let target = resolve_link(path)?;
        let dir = match target.parent() {
            // A bare file name has an empty parent, which no system call accepts.
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let original = match fs::metadata(&target) {
            Ok(meta) if meta.is_dir() => {
                return Err(io::Error::new(
                    io::ErrorKind::IsADirectory,
                    format!("cannot replace {}: a directory", target.display()),
                ))
            }
            Ok(meta) if !meta.is_file() => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "cannot replace {}: not a regular file (a FIFO, device or socket \
                         cannot be rewritten in place)",
                        target.display()
                    ),
                ))
            }
            Ok(meta) => Some(meta),
            Err(err) if err.kind() == io::ErrorKind::NotFound => None,
            Err(err) => {
                return Err(context(
                    err,
                    format_args!("cannot read {}", target.display()),
                ))
            }
        };
        self.first_write_into(&dir);

        let mut builder = tempfile::Builder::new();
        builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
        #[cfg(unix)]
        if original.is_none() {
            // tempfile's default 0o600 suits secrets, not cleaned articles: a new file gets the
            // usual 0o666 less the umask, like any file a shell redirection creates.
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        // From here on, dropping `tmp` (by `?` or a panic) deletes the temporary file.
        let tmp = builder.tempfile_in(&dir).map_err(|err| {
            context(
                without_temp_name(err),
                format_args!("cannot create a temporary file in {}", dir.display()),
            )
        })?;
        // Held until the file is renamed or deleted: it tells a concurrent run's
        // `remove_stale_temps` that this file is alive. Where locks are unsupported, the sweep
        // cannot take one either and so leaves every temporary file alone.
        let _ = tmp.as_file().try_lock();
        Ok(Pending {
            tmp,
            target,
            dir,
            original,
        })
    }

    /// Puts a file started by [`Writes::begin`] in place: gives it the original's owner and
    /// permissions, syncs its data, and renames it over the path it replaces.
    pub fn commit(&self, pending: Pending) -> io::Result<()> {
        let Pending {
            tmp,
            target,
            dir,
            original,
        } = pending;
        if let Some(meta) = &original {
            copy_owner(tmp.as_file(), meta);
            // Through the open handle, before the sync, so the sync covers the new mode too.
            tmp.as_file()
                .set_permissions(meta.permissions())
                .map_err(|err| {
                    context(
                        err,
                        format_args!(
                            "cannot set permissions on a temporary file in {}",
                            dir.display()
                        ),
                    )
                })?;
        }
        // Without this a crash soon after the rename can leave `path` empty on ext4 and others:
        // the rename may reach the disk before the data does.
        tmp.as_file().sync_all().map_err(|err| {
            context(
                err,
                format_args!("cannot sync a temporary file in {}", dir.display()),
            )
        })?;
        tmp.persist(&target).map_err(|err| {
            // `err.file` is dropped with `err`, which deletes the temporary file.
            context(
                err.error,
                format_args!("cannot replace {}", target.display()),
            )
        })?;
        Ok(())
    }

    /// [`Writes::begin`] for the copy of the file `source` at `path` (`--output-dir`): a new
    /// copy is no more open than its source (a private `0600` article stays private), nor than
    /// a new file (`0666` less the umask: no execute bit); an existing one keeps its own
    /// permissions.
    pub fn begin_copy(&self, path: &Path, source: &Path) -> io::Result<Pending> {
        let pending = self.begin_new(path)?;
        #[cfg(unix)]
        if pending.original.is_none() {
            use std::os::unix::fs::PermissionsExt;
            let file = pending.tmp.as_file();
            let (ours, theirs) = (file.metadata()?, fs::metadata(source)?);
            let mode = ours.permissions().mode() & theirs.permissions().mode() & 0o777;
            file.set_permissions(fs::Permissions::from_mode(mode))
                .map_err(|err| {
                    context(
                        err,
                        format_args!(
                            "cannot set permissions on a temporary file in {}",
                            pending.dir.display()
                        ),
                    )
                })?;
        }
        Ok(pending)
    }

    /// [`Writes::begin`] for `--output-dir`: creates missing parent directories first. An
    /// existing file at `path` is replaced atomically, as by [`Writes::replace`].
    pub fn begin_new(&self, path: &Path) -> io::Result<Pending> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|err| {
                context(
                    err,
                    format_args!("cannot create directory {}", parent.display()),
                )
            })?;
        }
        self.begin(path)
    }

    /// Syncs every directory written into, so the renames in them survive a crash. Best
    /// effort, as each file is already in place (see [`sync_dir`]).
    pub fn sync(&self) {
        for dir in self.dirs().iter() {
            sync_dir(dir);
        }
    }

    /// Notes a write into `dir`; the first one removes temporary files left there by killed
    /// runs, best effort: a sweep that fails never stops a write.
    fn first_write_into(&self, dir: &Path) {
        if self.dirs().insert(dir.to_path_buf()) {
            let _ = remove_stale_temps(dir);
        }
    }

    fn dirs(&self) -> std::sync::MutexGuard<'_, HashSet<PathBuf>> {
        self.dirs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A file being written by [`Writes::begin`]: its bytes go to a locked temporary file next to
/// the path it will replace. Errors say which directory, e.g. `cannot write a temporary file in
/// /dir: No space left on device (os error 28)`.
#[derive(Debug)]
pub struct Pending {
    tmp: tempfile::NamedTempFile,
    /// The file to replace (the target of a link).
    target: PathBuf,
    dir: PathBuf,
    /// The metadata of the file replaced; `None` for a new file.
    original: Option<fs::Metadata>,
}

impl Write for Pending {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // Through the bare file: NamedTempFile's own writes add "at path …" naming a file that
        // is deleted on the way out, which would only confuse the message.
        (self.tmp.as_file_mut().write(buf)).map_err(|err| {
            context(
                err,
                format_args!("cannot write a temporary file in {}", self.dir.display()),
            )
        })
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Removes the temporary files that runs killed before their rename left in `dir`, and says
/// how many it removed.
///
/// A file is removed only when its name is `.paradedup-*.tmp`, it is a regular file, nobody
/// holds a lock on it (every running paradedup locks its temporary files, and the kernel
/// drops the lock of a killed process), and it was last written more than a second ago (a
/// file just created may not be locked yet). Files that cannot be opened or locked are left
/// alone: when in doubt, keep.
pub fn remove_stale_temps(dir: &Path) -> io::Result<usize> {
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in fs::read_dir(dir)? {
        let Ok(entry) = entry else { continue };
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !(name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)) {
            continue;
        }
        // `file_type` does not follow links: a link with such a name is not ours.
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        // Opened for writing: some file systems (NFS) lock only files open for writing.
        let Ok(file) = fs::OpenOptions::new().read(true).write(true).open(&path) else {
            continue;
        };
        if file.try_lock().is_err() {
            continue;
        }
        let old = file
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if old && fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
}

/// The file a write to `path` should replace: `path` itself, or the target of a symbolic link,
/// so that replacing does not turn the link into a regular file and leave its target stale.
fn resolve_link(path: &Path) -> io::Result<PathBuf> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => fs::canonicalize(path).map_err(|err| {
            context(
                err,
                format_args!("cannot resolve symbolic link {}", path.display()),
            )
        }),
        _ => Ok(path.to_path_buf()),
    }
}

/// Gives the replacement the original's owner and group, so that root (or a group member)
/// cleaning someone else's files does not take them over. Best effort: an ordinary user
/// cannot give a file away, and then the file simply becomes theirs, as with `sed -i`.
#[cfg(unix)]
fn copy_owner(file: &File, original: &fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    if std::os::unix::fs::fchown(file, Some(original.uid()), Some(original.gid())).is_err() {
        // Keeping the group alone is often allowed when the owner cannot be kept.
        let _ = std::os::unix::fs::fchown(file, None, Some(original.gid()));
    }
}

#[cfg(not(unix))]
fn copy_owner(_file: &File, _original: &fs::Metadata) {}

/// Syncs a directory so a rename in it is durable. Best effort: the new content is already in
/// place, some systems (Windows) cannot open a directory, and failing the whole write now
/// would report an error for a file that was in fact replaced.
fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// Whether `path` names a pipe or a device (`/dev/stdout`, `>(gzip > out.gz)`, `/dev/stdin`):
/// an output to write to as it is rather than replace by a file, an input to read once only
/// and never rewrite in place; a directory is an error.
pub fn is_stream(path: &Path) -> io::Result<bool> {
    match path.metadata() {
        Ok(m) if m.is_dir() => Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "a directory, not a file",
        )),
        Ok(m) => Ok(!m.is_file()),
        Err(_) => Ok(false),
    }
}

/// For an input that is not UTF-8: a hint to add to the message when its first bytes are
/// those of a compressed file, such as `; it looks gzip-compressed: pipe it through zcat`.
pub fn compressed_hint(start: &[u8]) -> &'static str {
    const FORMATS: [(&[u8], &str); 4] = [
        (
            b"\x1f\x8b",
            "; it looks gzip-compressed: pipe it through zcat",
        ),
        (
            b"\x28\xb5\x2f\xfd",
            "; it looks zstd-compressed: pipe it through zstdcat",
        ),
        (
            b"\xfd7zXZ\x00",
            "; it looks xz-compressed: pipe it through xzcat",
        ),
        (b"BZh", "; it looks bzip2-compressed: pipe it through bzcat"),
    ];
    FORMATS
        .iter()
        .find(|(magic, _)| start.starts_with(magic))
        .map_or("", |(_, hint)| hint)
}

/// [`compressed_hint`] for the record at line `number` of a JSON Lines input: a compressed file
/// fails at its first line, and only there is the hint given. Further down, a line that starts
/// with a byte-order mark (two files put together) is told why it is refused.
pub fn record_hint(number: usize, line: &[u8]) -> &'static str {
    match number {
        1 => compressed_hint(line),
        _ if line.starts_with(crate::readahead::BOM) => {
            "; it starts with a byte-order mark (U+FEFF), which only the first line of an \
             input may have"
        }
        _ => "",
    }
}

/// tempfile's error for a temporary file it could not make, without the end of its message,
/// ` at path "DIR/.paradedup-RANDOM.tmp"`: a name that says nothing the directory does not.
pub fn without_temp_name(err: io::Error) -> io::Error {
    let message = err.to_string();
    match message.rsplit_once(" at path \"") {
        Some((cause, _)) => io::Error::new(err.kind(), cause),
        None => err,
    }
}

/// Wraps `err` with what was being done, keeping its kind so callers can still match on it
/// (a full disk stays `StorageFull`, a read-only directory `PermissionDenied`).
fn context(err: io::Error, what: std::fmt::Arguments<'_>) -> io::Error {
    io::Error::new(err.kind(), format!("{what}: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compressed_formats_are_known_by_their_first_bytes() {
        let hint = |bytes: &[u8]| compressed_hint(bytes).split(':').next().unwrap();
        assert_eq!(hint(b"\x1f\x8b\x08"), "; it looks gzip-compressed");
        assert_eq!(hint(b"\x28\xb5\x2f\xfd\x00"), "; it looks zstd-compressed");
        assert_eq!(hint(b"\xfd7zXZ\x00\x00"), "; it looks xz-compressed");
        assert_eq!(hint(b"BZh91AY&SY"), "; it looks bzip2-compressed");
        assert_eq!(compressed_hint(b"\x1f"), "");
        assert_eq!(compressed_hint(b"plain \xff"), "");
        assert_eq!(compressed_hint(b""), "");
    }

    /// Creates `relative` under `root` with `content`, making parent directories.
    fn touch(root: &Path, relative: &str, content: &str) -> PathBuf {
        let path = root.join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, content).unwrap();
        path
    }

    /// The files among `sources`, relative to `base`, with `/` separators on every platform.
    fn relative_files(sources: &[Expanded], base: &Path) -> Vec<String> {
        sources
            .iter()
            .filter_map(|s| match s {
                Ok(Source::File { path, .. }) => Some(path),
                _ => None,
            })
            .map(|p| {
                let rel = p.strip_prefix(base).unwrap();
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .collect()
    }

    /// Names of leftover temporary files in `dir`.
    fn leftovers(dir: &Path) -> Vec<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(".paradedup-"))
            .collect()
    }

    /// A tree with nested directories, a hidden directory, a hidden file and non-matching
    /// files, created in an order unlike the sorted one.
    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(root, "z.txt", "z");
        touch(root, "b/nested/deep.txt", "deep");
        touch(root, "b/data.jsonl", "{}");
        touch(root, "a.txt", "a");
        touch(root, "b/notes.md", "md");
        touch(root, "image.png", "png");
        touch(root, ".git/config.txt", "hidden dir");
        touch(root, "b/.draft.txt", "hidden file");
        dir
    }

    #[test]
    fn expand_walks_sorted_skipping_hidden_with_default_globs() {
        let dir = tree();
        let sources = expand(&[dir.path().to_path_buf()], true, &[]);
        assert!(sources.iter().all(Result::is_ok), "{sources:?}");
        assert_eq!(
            relative_files(&sources, dir.path()),
            ["a.txt", "b/data.jsonl", "b/nested/deep.txt", "z.txt"]
        );
        for source in &sources {
            let Ok(Source::File { root, .. }) = source else {
                panic!("not a file: {source:?}");
            };
            assert_eq!(root.as_deref(), Some(dir.path()));
        }
    }

    #[test]
    fn expand_is_deterministic() {
        let dir = tree();
        let first = expand(&[dir.path().to_path_buf()], true, &[]);
        let second = expand(&[dir.path().to_path_buf()], true, &[]);
        assert_eq!(
            relative_files(&first, dir.path()),
            relative_files(&second, dir.path())
        );
    }

    #[test]
    fn expand_globs_match_file_name_or_relative_path() {
        let dir = tree();
        let input = [dir.path().to_path_buf()];
        let by_name = expand(&input, true, &["*.md".to_owned()]);
        assert_eq!(relative_files(&by_name, dir.path()), ["b/notes.md"]);
        // `*` does not cross `/`: only files directly in b/ match `b/*.txt`-style globs.
        let by_path = expand(&input, true, &["b/*".to_owned()]);
        assert_eq!(
            relative_files(&by_path, dir.path()),
            ["b/data.jsonl", "b/notes.md"]
        );
        let deep = expand(&input, true, &["b/**/*.txt".to_owned()]);
        assert_eq!(relative_files(&deep, dir.path()), ["b/nested/deep.txt"]);
    }

    #[test]
    fn expand_takes_named_files_as_given() {
        let dir = tree();
        // Neither the glob nor the leading dot filters a file the user named.
        let named = [
            dir.path().join("image.png"),
            dir.path().join("b/.draft.txt"),
        ];
        let sources = expand(&named, true, &["*.txt".to_owned()]);
        assert_eq!(
            sources.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
            named
                .iter()
                .map(|path| Source::File {
                    path: path.clone(),
                    root: None
                })
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn expand_keeps_command_line_order_and_stdin() {
        let dir = tree();
        let z = dir.path().join("z.txt");
        let a = dir.path().join("a.txt");
        let sources = expand(&[z.clone(), PathBuf::from("-"), a.clone()], false, &[]);
        let sources: Vec<Source> = sources.into_iter().map(Result::unwrap).collect();
        assert_eq!(
            sources,
            [
                Source::File {
                    path: z,
                    root: None
                },
                Source::Stdin,
                Source::File {
                    path: a,
                    root: None
                },
            ]
        );
    }

    #[test]
    fn expand_rejects_directory_without_recursive() {
        let dir = tree();
        let a = dir.path().join("a.txt");
        let sources = expand(&[dir.path().to_path_buf(), a], false, &[]);
        let Err((path, err)) = &sources[0] else {
            panic!("expected an error: {sources:?}");
        };
        assert_eq!(path, dir.path());
        assert_eq!(err.kind(), io::ErrorKind::IsADirectory);
        assert!(
            err.to_string().contains("is a directory (use --recursive)"),
            "{err}"
        );
        // The error does not stop the inputs after it.
        assert!(matches!(sources[1], Ok(Source::File { .. })));
    }

    #[test]
    fn expand_reports_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.txt");
        let sources = expand(std::slice::from_ref(&missing), false, &[]);
        let [Err((path, err))] = &sources[..] else {
            panic!("expected one error: {sources:?}");
        };
        assert_eq!(path, &missing);
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn expand_bad_glob_yields_only_the_glob_error() {
        let dir = tree();
        let sources = expand(&[dir.path().join("a.txt")], true, &["[a".to_owned()]);
        let [Err((path, err))] = &sources[..] else {
            panic!("expected one error: {sources:?}");
        };
        assert_eq!(path, Path::new("--glob"));
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("'[a'"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn expand_skips_symbolic_links_when_walking() {
        let dir = tree();
        std::os::unix::fs::symlink(dir.path().join("b"), dir.path().join("c-link")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("a.txt"), dir.path().join("d-link.txt"))
            .unwrap();
        let sources = expand(&[dir.path().to_path_buf()], true, &[]);
        assert_eq!(
            relative_files(&sources, dir.path()),
            ["a.txt", "b/data.jsonl", "b/nested/deep.txt", "z.txt"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn expand_reports_unreadable_subdirectory_and_goes_on() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tree();
        let locked = dir.path().join("b");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        let readable = fs::read_dir(&locked).is_ok();
        let sources = expand(&[dir.path().to_path_buf()], true, &[]);
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
        if readable {
            eprintln!("skipped: permission bits are not enforced here (running as root?)");
            return;
        }
        assert_eq!(relative_files(&sources, dir.path()), ["a.txt", "z.txt"]);
        let errors: Vec<_> = sources.iter().filter_map(|s| s.as_ref().err()).collect();
        let [(path, err)] = &errors[..] else {
            panic!("expected one error: {sources:?}");
        };
        assert_eq!(path, &locked);
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
    }

    #[test]
    fn output_path_mirrors_walked_tree() {
        let out = Path::new("out");
        assert_eq!(
            output_path(
                Path::new("in/b/nested/deep.txt"),
                Some(Path::new("in")),
                out
            ),
            Path::new("out/b/nested/deep.txt")
        );
        assert_eq!(
            output_path(Path::new("./a.txt"), Some(Path::new(".")), out),
            Path::new("out/a.txt")
        );
    }

    #[test]
    fn output_path_flattens_named_files() {
        let out = Path::new("out");
        assert_eq!(
            output_path(Path::new("in/b/x.txt"), None, out),
            Path::new("out/x.txt")
        );
        assert_eq!(
            output_path(Path::new("/abs/y.txt"), None, out),
            Path::new("out/y.txt")
        );
    }

    #[test]
    fn write_atomic_replaces_content_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = touch(dir.path(), "a.txt", "old content that is longer");
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn write_atomic_creates_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.txt");
        write_atomic(&path, b"fresh").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"fresh");
        assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    }

    #[cfg(unix)]
    #[test]
    fn write_atomic_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = touch(dir.path(), "a.txt", "old");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"new").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o7777, 0o640);
        assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    }

    #[cfg(unix)]
    #[test]
    fn write_atomic_new_file_gets_usual_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.txt");
        write_atomic(&path, b"fresh").unwrap();
        // A plain create gets 0o666 less the umask, whatever the umask is here; tempfile's
        // own default would be 0o600.
        let plain = dir.path().join("plain.txt");
        File::create(&plain).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode(&path), mode(&plain), "{:o}", mode(&path));
    }

    #[cfg(unix)]
    #[test]
    fn write_atomic_through_symlink_replaces_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = touch(dir.path(), "target.txt", "old");
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&target).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn write_atomic_in_read_only_directory_fails_cleanly() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let locked = dir.path().join("locked");
        let path = touch(&locked, "a.txt", "old");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o555)).unwrap();
        // Root ignores permission bits; there the write would succeed and prove nothing.
        let probe = locked.join("probe");
        let enforced = File::create(&probe).is_err();
        let result = enforced.then(|| write_atomic(&path, b"new"));
        let _ = fs::remove_file(&probe);
        // Restore before asserting so the temporary directory can be removed either way.
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
        let Some(result) = result else {
            eprintln!("skipped: permission bits are not enforced here (running as root?)");
            return;
        };
        let err = result.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
        let message = err.to_string();
        assert!(
            message.contains(&format!(
                "cannot create a temporary file in {}",
                locked.display()
            )),
            "{message}"
        );
        assert_eq!(fs::read(&path).unwrap(), b"old");
        assert_eq!(leftovers(&locked), Vec::<String>::new());
    }

    #[test]
    fn write_atomic_error_keeps_kind_and_names_directory() {
        // Works as root too: a missing directory cannot hold a temporary file.
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let err = write_atomic(&missing.join("a.txt"), b"new").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert_eq!(
            err.to_string(),
            format!(
                "cannot create a temporary file in {}: No such file or directory (os error 2)",
                missing.display()
            )
        );
    }

    #[test]
    fn a_directory_is_not_replaced_and_is_called_one() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomic(dir.path(), b"new").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::IsADirectory);
        assert_eq!(
            err.to_string(),
            format!("cannot replace {}: a directory", dir.path().display())
        );
        assert!(dir.path().is_dir());
    }

    /// A temporary file as a killed run leaves it, last written `age` ago.
    fn leftover(dir: &Path, name: &str, age: Duration) -> PathBuf {
        let path = touch(dir, name, "partial");
        let file = File::options().write(true).open(&path).unwrap();
        file.set_modified(SystemTime::now() - age).unwrap();
        path
    }

    #[test]
    fn remove_stale_temps_takes_only_unlocked_old_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let hour = Duration::from_secs(3600);
        let stale = leftover(dir.path(), ".paradedup-stale1.tmp", hour);
        let young = leftover(dir.path(), ".paradedup-young1.tmp", Duration::ZERO);
        let live = leftover(dir.path(), ".paradedup-live01.tmp", hour);
        let other = leftover(dir.path(), ".paradedup-notes.txt", hour);
        let article = leftover(dir.path(), "paradedup-a.tmp", hour);
        // A live run holds a lock on its temporary file.
        let holder = File::options().write(true).open(&live).unwrap();
        holder.try_lock().unwrap();
        assert_eq!(remove_stale_temps(dir.path()).unwrap(), 1);
        assert!(!stale.exists());
        for kept in [&young, &live, &other, &article] {
            assert!(kept.exists(), "{} was removed", kept.display());
        }
        // Once its owner is gone (a killed process's locks go with it), it is stale.
        drop(holder);
        assert_eq!(remove_stale_temps(dir.path()).unwrap(), 1);
        assert!(!live.exists());
    }

    #[cfg(unix)]
    #[test]
    fn remove_stale_temps_does_not_follow_links() {
        let dir = tempfile::tempdir().unwrap();
        let target = leftover(dir.path(), "article.txt", Duration::from_secs(3600));
        let link = dir.path().join(".paradedup-link01.tmp");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(remove_stale_temps(dir.path()).unwrap(), 0);
        assert!(target.exists() && fs::symlink_metadata(&link).is_ok());
    }

    #[test]
    fn write_atomic_removes_leftovers_of_killed_runs() {
        let dir = tempfile::tempdir().unwrap();
        let stale = leftover(dir.path(), ".paradedup-killed.tmp", Duration::from_secs(60));
        let path = touch(dir.path(), "a.txt", "old");
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert!(!stale.exists());
        assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn write_atomic_locks_its_temporary_file() {
        // The sweep of a concurrent run must see the temporary file as alive, whatever its
        // age: hold one open the way write_atomic does and check the sweep keeps it.
        let dir = tempfile::tempdir().unwrap();
        let tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(TEMP_SUFFIX)
            .tempfile_in(dir.path())
            .unwrap();
        tmp.as_file().try_lock().unwrap();
        tmp.as_file()
            .set_modified(SystemTime::now() - Duration::from_secs(60))
            .unwrap();
        assert_eq!(remove_stale_temps(dir.path()).unwrap(), 0);
        assert!(tmp.path().exists());
    }

    #[cfg(unix)]
    #[test]
    fn write_atomic_refuses_special_files() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo.txt");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            eprintln!("skipped: no mkfifo");
            return;
        }
        let err = write_atomic(&fifo, b"new").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("not a regular file"), "{err}");
        use std::os::unix::fs::FileTypeExt;
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        let err = write_atomic(Path::new("/dev/null"), b"new").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    }

    #[test]
    fn writes_sweep_each_directory_on_its_first_write_only() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let minute = Duration::from_secs(60);
        let writes = Writes::default();
        let first = leftover(a.path(), ".paradedup-first1.tmp", minute);
        writes.replace(&a.path().join("1.txt"), b"one").unwrap();
        assert!(!first.exists());
        // Left by a run killed while this one was going on: swept by the next run only.
        let second = leftover(a.path(), ".paradedup-secnd1.tmp", minute);
        let other = leftover(b.path(), ".paradedup-other1.tmp", minute);
        writes.replace(&a.path().join("2.txt"), b"two").unwrap();
        assert!(second.exists());
        let mut three = writes.begin_new(&b.path().join("3.txt")).unwrap();
        three.write_all(b"three").unwrap();
        writes.commit(three).unwrap();
        assert!(!other.exists(), "another directory has its own first write");
        writes.sync();
        let mut dirs: Vec<PathBuf> = writes.dirs().iter().cloned().collect();
        dirs.sort();
        let mut expected = vec![a.path().to_path_buf(), b.path().to_path_buf()];
        expected.sort();
        assert_eq!(dirs, expected, "each directory is synced once");
        assert_eq!(fs::read(a.path().join("2.txt")).unwrap(), b"two");
        assert_eq!(fs::read(b.path().join("3.txt")).unwrap(), b"three");
        Writes::default()
            .replace(&a.path().join("2.txt"), b"2")
            .unwrap();
        assert!(!second.exists());
    }

    #[test]
    fn begin_new_makes_parent_directories() {
        let dir = tempfile::tempdir().unwrap();
        let path = output_path(
            Path::new("in/b/nested/deep.txt"),
            Some(Path::new("in")),
            dir.path(),
        );
        let writes = Writes::default();
        let create = |bytes: &[u8]| {
            let mut file = writes.begin_new(&path)?;
            file.write_all(bytes)?;
            writes.commit(file)
        };
        create(b"deep").unwrap();
        assert_eq!(
            fs::read(dir.path().join("b/nested/deep.txt")).unwrap(),
            b"deep"
        );
        // Writing again replaces, as --output-dir over a previous run's output must.
        create(b"again").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"again");
        assert_eq!(leftovers(path.parent().unwrap()), Vec::<String>::new());
    }
}
