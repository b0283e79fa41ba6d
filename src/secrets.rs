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
/// (`sig=…`) cut out.
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    if let Ok(values) = registry().values.read() {
        for value in values.iter().filter(|v| v.len() >= MIN_SCRUB_LEN) {
            if out.contains(value.as_str()) {
                out = Cow::Owned(out.replace(value.as_str(), "***"));
            }
        }
    }
    match scrub_signatures(&out) {
        Some(scrubbed) => Cow::Owned(scrubbed),
        None => out,
    }
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
