//! Helpers shared by the integration tests.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

#[allow(dead_code)] // not every test file uses every helper
/// A scratch directory under the system temp dir, removed afterwards (also when a test made it
/// immutable with `chattr +i`).
pub struct Scratch(pub PathBuf);

#[allow(dead_code)] // not every test file uses every helper
impl Scratch {
    /// A fresh, empty directory named after the test file, the process and `name`.
    pub fn new(name: &str) -> Scratch {
        let test = std::env::current_exe()
            .ok()
            .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .unwrap_or_default();
        let dir =
            std::env::temp_dir().join(format!("paradedup-{test}-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// Writes `bytes` to `name` (parents created) and returns its path.
    pub fn file<B: AsRef<[u8]> + ?Sized>(&self, name: &str, bytes: &B) -> PathBuf {
        let p = self.0.join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, bytes.as_ref()).unwrap();
        p
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).output();
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The binary under test, with the color variables of the caller's environment removed.
#[allow(dead_code)] // not every test file uses every helper
pub fn cmd() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("paradedup").unwrap();
    c.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    c
}

/// The path of a shipped sample.
#[allow(dead_code)] // not every test file uses every helper
pub fn sample(name: &str) -> PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

/// The one error line of a run that failed with exit status 2 (`paradedup: …\n`), checked to
/// be one line, and no panic.
#[allow(dead_code)] // not every test file uses every helper
#[track_caller]
pub fn assert_one_line_error(out: &std::process::Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(
        err.starts_with("paradedup: ") && err.ends_with('\n') && err.lines().count() == 1,
        "not one error line: {err:?}"
    );
    assert!(!err.contains("panicked"), "{err}");
    err
}
