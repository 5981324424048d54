//! A unified-diff applier for checking `--diff` output, shared by tests/props.rs and the
//! `clean` fuzz target (fuzz/fuzz_targets/clean.rs), which include this file by path.

/// One hunk header "@@ -a[,b] +c[,d] @@ comment": (a, b, c, d).
pub fn parse_hunk_header(line: &str) -> Option<(usize, usize, usize, usize)> {
    let rest = line.strip_prefix("@@ -")?;
    let (ranges, _comment) = rest.split_once(" @@")?;
    let (old, new) = ranges.split_once(" +")?;
    let range = |r: &str| -> Option<(usize, usize)> {
        match r.split_once(',') {
            Some((start, len)) => Some((start.parse().ok()?, len.parse().ok()?)),
            None => Some((r.parse().ok()?, 1)),
        }
    };
    let (a, b) = range(old)?;
    let (c, d) = range(new)?;
    Some((a, b, c, d))
}

pub const NO_NEWLINE: &str = "\\ No newline at end of file\n";

/// Applies a unified diff to `original` as `patch` would: lines end at `\n` only, context and
/// removed lines must match byte for byte, hunk positions and lengths must be right.
pub fn apply_patch(original: &str, diff: &str) -> Result<String, String> {
    let old: Vec<&str> = original.split_inclusive('\n').collect();
    let lines: Vec<&str> = diff.split_inclusive('\n').collect();
    if lines.len() < 3 || !lines[0].starts_with("--- ") || !lines[1].starts_with("+++ ") {
        return Err(format!("no file header in {diff:?}"));
    }
    let mut out = String::new();
    let mut out_lines = 0;
    let mut at = 0; // next line of `old` not yet copied or consumed
    let mut i = 2;
    while i < lines.len() {
        let header = lines[i];
        let (a, b, c, d) =
            parse_hunk_header(header).ok_or_else(|| format!("bad hunk header {header:?}"))?;
        i += 1;
        // An empty range names the line before it.
        let first = if b == 0 { Some(a) } else { a.checked_sub(1) };
        let first = first.ok_or_else(|| format!("bad hunk header {header:?}"))?;
        if first < at || first > old.len() {
            return Err(format!("hunk {header:?} out of place (at line {at})"));
        }
        for line in &old[at..first] {
            out.push_str(line);
        }
        out_lines += first - at;
        at = first;
        let new_first = if d == 0 { Some(c) } else { c.checked_sub(1) };
        if new_first != Some(out_lines) {
            return Err(format!("hunk {header:?}: new side starts at {out_lines}"));
        }
        let (mut seen_old, mut seen_new) = (0, 0);
        while seen_old < b || seen_new < d {
            let line = *lines.get(i).ok_or("hunk cut short")?;
            i += 1;
            let mut body = &line[line.chars().next().map_or(0, char::len_utf8)..];
            if lines.get(i) == Some(&NO_NEWLINE) {
                i += 1;
                body = body.strip_suffix('\n').ok_or("no newline to drop")?;
            }
            let mut take_old = || -> Result<(), String> {
                match old.get(at) {
                    Some(&l) if l == body => {
                        at += 1;
                        seen_old += 1;
                        Ok(())
                    }
                    other => Err(format!("line {}: want {body:?}, have {other:?}", at + 1)),
                }
            };
            match line.chars().next() {
                Some(' ') => {
                    take_old()?;
                    out.push_str(body);
                    out_lines += 1;
                    seen_new += 1;
                }
                Some('-') => take_old()?,
                Some('+') => {
                    out.push_str(body);
                    out_lines += 1;
                    seen_new += 1;
                }
                _ => return Err(format!("bad hunk line {line:?}")),
            }
        }
        if seen_old != b || seen_new != d {
            return Err(format!(
                "hunk {header:?} has {seen_old} old, {seen_new} new lines"
            ));
        }
    }
    for line in &old[at..] {
        out.push_str(line);
    }
    Ok(out)
}
