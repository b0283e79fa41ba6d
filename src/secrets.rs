//! Secrets never reach a log line, an output or an error message.
//!
//! Every secret the process learns (inputs, tokens) is registered here. Registration first
//! hands the value to the platform hook, which prints the runner's mask command
//! (`::add-mask::`, `##vso[task.setsecret]`) before anything could print the value, and then
//! adds it to the list that [`redact`] scrubs from every log line. Upload-URL signatures are
//! scrubbed by pattern, since they are not known in advance.

use std::borrow::Cow;
use std::sync::{OnceLock, RwLock};

type MaskHook = Box<dyn Fn(&str) + Send + Sync>;

struct Registry {
    values: RwLock<Vec<String>>,
    hook: RwLock<Option<MaskHook>>,
}

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Registry {
        values: RwLock::new(Vec::new()),
        hook: RwLock::new(None),
    })
}

/// Sets the function that tells the CI platform to mask a value. Values registered before
/// are handed to it at once.
pub fn set_mask_hook(hook: impl Fn(&str) + Send + Sync + 'static) {
    let reg = registry();
    let known = reg.values.read().map(|v| v.clone()).unwrap_or_default();
    for value in &known {
        hook(value);
    }
    if let Ok(mut slot) = reg.hook.write() {
        *slot = Some(Box::new(hook));
    }
}

/// Registers a secret value. Short values are not scrubbed from text (a 3-character secret
/// would mangle every log line) but are still masked on the platform.
pub fn register(value: &str) {
    let value = value.trim();
    if value.is_empty() {
        return;
    }
    let reg = registry();
    {
        let Ok(mut values) = reg.values.write() else {
            return;
        };
        if values.iter().any(|v| v == value) {
            return;
        }
        values.push(value.to_string());
        // Longest first, so a secret that contains another is scrubbed whole.
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }
    if let Ok(hook) = reg.hook.read()
        && let Some(hook) = hook.as_ref()
    {
        hook(value);
    }
}

/// Registers the signature of a SAS URL, decoded and as it appears in the URL, so the
/// runner masks it wherever it might show up.
pub fn register_query(url: &url::Url) {
    for (key, value) in url.query_pairs() {
        if key.eq_ignore_ascii_case("sig") {
            register(&value);
        }
    }
    for part in url.query().unwrap_or("").split('&') {
        if let Some((key, value)) = part.split_once('=')
            && key.eq_ignore_ascii_case("sig")
        {
            register(value);
        }
    }
}

const MIN_SCRUB_LEN: usize = 4;

/// `text` with every registered secret replaced by `***` and every SAS signature
/// (`sig=…`) cut out. A secret is found in every form it can be printed in, and in any mix
/// of them within one occurrence: raw, form-encoded (`+` for a space), percent-encoded
/// whatever the set of characters left unescaped and in either case of hex digits,
/// JSON-escaped (`\"`, `\/`, `\u002b`, surrogate pairs) and HTML-escaped (`&amp;`,
/// `&#43;`, `&#x2B;`).
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    if let Ok(values) = registry().values.read() {
        for value in values.iter().filter(|v| v.len() >= MIN_SCRUB_LEN) {
            if let Some(scrubbed) = scrub_value(&out, value.as_bytes()) {
                out = Cow::Owned(scrubbed);
            }
        }
    }
    match scrub_signatures(&out) {
        Some(scrubbed) => Cow::Owned(scrubbed),
        None => out,
    }
}

/// `text` with each occurrence of `secret` (in any encoding, see [`redact`]) replaced by
/// `***`; `None` when there is none.
fn scrub_value(text: &str, secret: &[u8]) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !text.is_char_boundary(i) {
            i += 1;
            continue;
        }
        match match_at(bytes, i, secret) {
            Some(end) if end > i && text.is_char_boundary(end) => {
                let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
                out.push_str(&text[copied..i]);
                out.push_str("***");
                copied = end;
                i = end;
            }
            _ => i += 1,
        }
    }
    let mut out = out?;
    out.push_str(&text[copied..]);
    Some(out)
}

/// Where an occurrence of `secret` that starts at `start` ends, if one does. A search over
/// (text position, secret position) pairs, each visited once, so ambiguous text (a `%41`
/// that may be literal or an `A`) cannot make it slow.
fn match_at(text: &[u8], start: usize, secret: &[u8]) -> Option<usize> {
    let first = *text.get(start)?;
    if first != secret[0] && !matches!(first, b'%' | b'+' | b'\\' | b'&' | 0xE2) {
        return None;
    }
    let mut pending = vec![(start, 0usize)];
    let mut seen = std::collections::HashSet::new();
    while let Some((i, j)) = pending.pop() {
        if j == secret.len() {
            return Some(i);
        }
        if !seen.insert((i, j)) {
            continue;
        }
        for (length, decoded) in tokens_at(text, i) {
            let decoded = decoded.as_slice();
            // An invisible character (nothing decoded) may sit inside, not at the start.
            let skippable = decoded.is_empty() && j > 0;
            if skippable || (!decoded.is_empty() && secret[j..].starts_with(decoded)) {
                pending.push((i + length, j + decoded.len()));
            }
        }
    }
    None
}

/// Every way the text at `i` can be read as bytes of a printed value: the byte itself, or
/// an escape (its length in the text and the bytes it stands for).
fn tokens_at(text: &[u8], i: usize) -> Vec<(usize, Vec<u8>)> {
    let Some(&byte) = text.get(i) else {
        return Vec::new();
    };
    let mut tokens = vec![(1, vec![byte])];
    let rest = &text[i..];
    match byte {
        b'%' => {
            if let Some(value) = rest.get(1..3).and_then(hex_value) {
                tokens.push((3, vec![value as u8]));
            }
            // The Azure Pipelines agent's escape of `%` in logging commands.
            if rest.starts_with(b"%AZP25") {
                tokens.push((6, vec![b'%']));
            }
        }
        // Invisible characters our own escapes insert (src/report/escape.rs, the summary):
        // a word joiner between `##`, a zero-width space in a code fence.
        0xE2 if rest.starts_with("\u{2060}".as_bytes())
            || rest.starts_with("\u{200b}".as_bytes()) =>
        {
            tokens.push((3, Vec::new()));
        }
        b'+' => tokens.push((1, vec![b' '])),
        b'\\' => match rest.get(1) {
            Some(b'u') => {
                if let Some((length, c)) = json_unicode(rest) {
                    tokens.push((length, c.to_string().into_bytes()));
                }
            }
            // JSON's `\"`, `\\`, `\/`, and Markdown's escape of any ASCII punctuation
            // (`\|` in a summary table).
            Some(&c) if c.is_ascii_punctuation() => tokens.push((2, vec![c])),
            Some(b'n') => tokens.push((2, vec![b'\n'])),
            Some(b'r') => tokens.push((2, vec![b'\r'])),
            Some(b't') => tokens.push((2, vec![b'\t'])),
            Some(b'b') => tokens.push((2, vec![0x08])),
            Some(b'f') => tokens.push((2, vec![0x0c])),
            _ => {}
        },
        b'&' => {
            if let Some((length, c)) = html_entity(rest) {
                tokens.push((length, c.to_string().into_bytes()));
            }
        }
        _ => {}
    }
    tokens
}

fn hex_value(digits: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(digits).ok()?;
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(text, 16).ok()
}

/// `\uXXXX`, or a surrogate pair `\uD83D\uDE00`, at the start of `text`.
fn json_unicode(text: &[u8]) -> Option<(usize, char)> {
    let unit = |at: usize| -> Option<u32> {
        (text.get(at..at + 2)? == b"\\u")
            .then(|| hex_value(text.get(at + 2..at + 6)?))
            .flatten()
    };
    let high = unit(0)?;
    if (0xD800..0xDC00).contains(&high) {
        let low = unit(6)?;
        if !(0xDC00..0xE000).contains(&low) {
            return None;
        }
        let c = char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))?;
        return Some((12, c));
    }
    Some((6, char::from_u32(high)?))
}

/// `&amp;`, `&#43;`, `&#x2B;` and the other entities HTML escapers write, at the start of
/// `text`.
fn html_entity(text: &[u8]) -> Option<(usize, char)> {
    let end = text.iter().take(12).position(|&b| b == b';')?;
    let name = std::str::from_utf8(&text[1..end]).ok()?;
    let c = if let Some(number) = name.strip_prefix('#') {
        let value = match number.strip_prefix(['x', 'X']) {
            Some(hex) => hex_value(hex.as_bytes())?,
            None if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) => {
                number.parse().ok()?
            }
            None => return None,
        };
        char::from_u32(value)?
    } else {
        match name.to_ascii_lowercase().as_str() {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "plus" => '+',
            "sol" => '/',
            "equals" => '=',
            "percnt" => '%',
            "semi" => ';',
            "tilde" => '~',
            "num" => '#',
            "lsqb" | "lbrack" => '[',
            "rsqb" | "rbrack" => ']',
            "grave" => '`',
            "nbsp" => '\u{a0}',
            _ => return None,
        }
    };
    Some((end + 1, c))
}

/// Cuts the value of every `sig=` query parameter (Azure SAS signatures), in any case.
fn scrub_signatures(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    if !lower.contains("sig=") {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = 0;
    let mut search = 0;
    while let Some(found) = lower[search..].find("sig=") {
        let start = search + found;
        let at_boundary = start == 0
            || matches!(
                lower.as_bytes()[start - 1],
                b'?' | b'&' | b' ' | b'"' | b'\''
            );
        let value_start = start + 4;
        if !at_boundary {
            search = value_start;
            continue;
        }
        let value_end = text[value_start..]
            .find(|c: char| c == '&' || c == '"' || c == '\'' || c.is_whitespace())
            .map_or(text.len(), |i| value_start + i);
        out.push_str(&text[rest..value_start]);
        out.push_str("***");
        rest = value_end;
        search = value_end;
    }
    out.push_str(&text[rest..]);
    Some(out)
}

/// Forgets every registered secret: for fuzz targets (`crate::fuzzing`), which register new
/// ones on every input.
#[cfg(any(test, fuzzing))]
pub(crate) fn forget_all() {
    if let Ok(mut values) = registry().values.write() {
        values.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_values_are_scrubbed() {
        register("hunter2-very-secret");
        assert_eq!(redact("token hunter2-very-secret here"), "token *** here");
    }

    /// Each character of `secret` written by `encode`, to build the forms printers use.
    fn each_char(secret: &str, encode: impl Fn(char) -> String) -> String {
        secret.chars().map(encode).collect()
    }

    fn percent(c: char, keep: &str, lower: bool) -> String {
        if c.is_ascii_alphanumeric() || keep.contains(c) {
            return c.to_string();
        }
        let mut buffer = [0u8; 4];
        c.encode_utf8(&mut buffer)
            .bytes()
            .map(|b| {
                let hex = format!("%{b:02X}");
                if lower { hex.to_lowercase() } else { hex }
            })
            .collect()
    }

    /// The forms a secret takes in what the tool prints: raw, form-encoded, percent-encoded
    /// with several safe sets and hex cases, JSON- and HTML-escaped.
    fn printed_forms(secret: &str) -> Vec<String> {
        let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let json = serde_json::to_string(secret).unwrap();
        vec![
            secret.to_string(),
            form,
            each_char(secret, |c| percent(c, "", false)),
            each_char(secret, |c| percent(c, "", true)),
            each_char(secret, |c| percent(c, "-._~", false)),
            each_char(secret, |c| percent(c, "-._~/", true)),
            each_char(secret, |c| percent(c, "-._~!$&'()*+,;=:@/?", false)),
            json[1..json.len() - 1].to_string(),
            each_char(secret, |c| {
                if c.is_ascii_alphanumeric() {
                    c.to_string()
                } else {
                    c.encode_utf16(&mut [0u16; 2])
                        .iter()
                        .map(|u| format!("\\u{u:04x}"))
                        .collect()
                }
            }),
            each_char(secret, |c| match c {
                '/' => "\\/".into(),
                '"' => "\\\"".into(),
                other => other.to_string(),
            }),
            each_char(secret, |c| match c {
                '&' => "&amp;".into(),
                '<' => "&lt;".into(),
                '>' => "&gt;".into(),
                '"' => "&quot;".into(),
                '\'' => "&#39;".into(),
                other => other.to_string(),
            }),
            crate::escape::azure(secret),
            crate::escape::github_data(secret),
            crate::escape::inert_markers(secret),
            each_char(secret, |c| {
                if c.is_ascii_punctuation() {
                    format!("\\{c}")
                } else {
                    c.to_string()
                }
            }),
            each_char(secret, |c| {
                if c.is_ascii_alphanumeric() {
                    c.to_string()
                } else if (c as u32).is_multiple_of(2) {
                    format!("&#{};", c as u32)
                } else {
                    format!("&#X{:x};", c as u32)
                }
            }),
        ]
    }

    #[test]
    fn every_printed_form_is_scrubbed() {
        let secret = "Zq9+Le ak/Se\"cret&Va~lue='<%41>;]x|##\u{20ac}\u{1f511}";
        for form in printed_forms(secret) {
            let text = format!("before {form} after");
            let scrubbed = scrub_value(&text, secret.as_bytes());
            assert_eq!(scrubbed.as_deref(), Some("before *** after"), "form {form}");
        }
        assert_eq!(scrub_value("nothing here", secret.as_bytes()), None);
        // Text that only looks like a start does not swallow what follows.
        assert_eq!(
            scrub_value("%41%41 Zq9+Le", b"AAAA-longer").as_deref(),
            None
        );
        assert_eq!(
            scrub_value("x %41%41%41%41 y", b"AAAA").as_deref(),
            Some("x *** y")
        );
        assert_eq!(
            scrub_value("x %41%41%41%41 y", b"%41%41").as_deref(),
            Some("x ****** y")
        );
    }

    proptest::proptest! {
        /// Any secret, printed in any mix of forms character by character, is found.
        #[test]
        fn mixed_forms_are_scrubbed(
            secret in "[ -~\u{a0}-\u{2fff}]{4,24}",
            choices in proptest::collection::vec(0usize..6, 24),
        ) {
            let printed: String = secret
                .chars()
                .zip(choices.iter().cycle())
                .map(|(c, choice)| match choice {
                    0 => c.to_string(),
                    1 => percent(c, "~", false),
                    2 => percent(c, "", true),
                    3 => {
                        let json = serde_json::to_string(&c.to_string()).unwrap();
                        json[1..json.len() - 1].to_string()
                    }
                    4 => format!("&#{};", c as u32),
                    _ if c == ' ' => "+".to_string(),
                    _ => c.to_string(),
                })
                .collect();
            let text = format!("<{printed}>");
            let scrubbed = scrub_value(&text, secret.as_bytes());
            proptest::prop_assert!(scrubbed.is_some(), "{text}");
            proptest::prop_assert!(scrubbed.unwrap().contains("***"));
        }
    }

    #[test]
    fn sas_signatures_are_scrubbed() {
        let url = "https://x.blob.core.windows.net/c/b?sv=2014-02-14&sr=b&sig=ab+c/d%3D&se=2030-01-01T00:00:00Z&sp=rwl";
        let scrubbed = redact(url);
        assert!(!scrubbed.contains("ab+c"), "{scrubbed}");
        assert!(scrubbed.contains("sig=***&se="), "{scrubbed}");
        assert_eq!(redact("design=fine"), "design=fine");
        assert_eq!(redact("SIG=abc"), "SIG=***");
    }
}
