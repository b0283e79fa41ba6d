//! Escaping rules of the two runners (https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts,
//! https://learn.microsoft.com/azure/devops/pipelines/scripts/logging-commands), and the one rule
//! that makes untrusted text (API messages, file names) inert in a log.

/// GitHub workflow-command data (after `::`): `%`, CR, LF. `%` first, as the runner
/// un-escapes it last.
pub fn github_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub workflow-command property values: the data escapes plus `:` and `,`.
pub fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Azure Pipelines logging-command values and messages. `%` becomes `%AZP25` first (the
/// agent decodes it last, with its default `DecodePercents` knob).
pub fn azure(text: &str) -> String {
    text.replace('%', "%AZP25")
        .replace(';', "%3B")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
        .replace(']', "%5D")
}

/// Makes text safe to print as log lines on either runner: no line can start (after
/// whitespace) with `::`, and no line contains `##[` or `##vso[` — the shapes both runners
/// execute as commands. Returns one string per line; the caller puts a non-blank prefix in
/// front of continuation lines.
pub fn inert_lines(text: &str) -> Vec<String> {
    text.split('\n')
        .map(|line| inert_line(line.strip_suffix('\r').unwrap_or(line)))
        .collect()
}

/// Breaks `##` (the start of `##[…]` and `##vso[…]` commands) with an invisible word
/// joiner, so the text reads the same but no runner parses a command out of it. For data
/// inside our own commands (annotation messages), where a hostile `##[` could otherwise be
/// picked up if the command itself failed to parse.
pub fn inert_markers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        // Between every two `#`, so that no run of them (`###[`) leaves a `##` behind.
        if c == '#' && chars.peek() == Some(&'#') {
            out.push('\u{2060}');
        }
    }
    out
}

fn inert_line(line: &str) -> String {
    let mut out = inert_markers(&line.replace('\r', "\\r"));
    let trimmed = out.trim_start();
    if trimmed.starts_with("::") {
        let indent = out.len() - trimmed.len();
        out.replace_range(indent..indent + 2, ":\u{2060}:");
    }
    out
}

/// One-line form of untrusted text, for places that must stay on one line (a table cell,
/// an annotation title).
pub fn inert_single_line(text: &str) -> String {
    inert_lines(text).join(" ⏎ ")
}

/// A value from the service shown as it was, control characters visible (`\n`, `\u{7}`),
/// for an answer the tool cannot interpret: the user sees exactly what came, on one line.
pub fn escape_debug(text: &str) -> String {
    inert_markers(&text.escape_debug().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runner's own un-escaping (actions/runner ActionCommand.cs): CR and LF before `%`.
    fn github_unescape_data(text: &str) -> String {
        text.replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%25", "%")
    }

    fn github_unescape_property(text: &str) -> String {
        github_unescape_data(&text.replace("%3A", ":").replace("%2C", ","))
    }

    /// The agent's CommandStringConvertor.Unescape with DecodePercents on.
    fn azure_unescape(text: &str) -> String {
        text.replace("%3B", ";")
            .replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%5D", "]")
            .replace("%AZP25", "%")
    }

    #[test]
    fn escapes_round_trip_through_the_runners_unescaping() {
        let samples = [
            "plain",
            "100% done",
            "%0A literally",
            "a:b,c",
            "line1\nline2\r\n",
            "x;y]z",
            "%AZP25 and %3B",
            "::set-output name=x::y",
        ];
        for s in samples {
            assert_eq!(github_unescape_data(&github_data(s)), s);
            assert_eq!(github_unescape_property(&github_property(s)), s);
            assert_eq!(azure_unescape(&azure(s)), s);
            assert!(!github_data(s).contains('\n'));
            assert!(!azure(s).contains(']'));
        }
    }

    proptest::proptest! {
        /// Whatever the text, the runners' own un-escaping gives it back.
        #[test]
        fn escaping_round_trips(text in "[\\s\\S]*") {
            proptest::prop_assert_eq!(github_unescape_data(&github_data(&text)), text.clone());
            proptest::prop_assert_eq!(github_unescape_property(&github_property(&text)), text.clone());
            proptest::prop_assert_eq!(azure_unescape(&azure(&text)), text.clone());
            proptest::prop_assert!(!github_data(&text).contains(['\n', '\r']));
            proptest::prop_assert!(!azure(&text).contains([';', ']', '\n', '\r']));
        }

        /// Whatever the text, no printed line holds a command a runner would run, and the
        /// text reads the same once the invisible joiners are taken out.
        #[test]
        fn inert_lines_never_hold_a_command(text in "([:#\\[\\] a-z\\n]|##vso\\[|::|##\\[){0,40}") {
            let lines = inert_lines(&text);
            for line in &lines {
                proptest::prop_assert!(!line.trim_start().starts_with("::"), "{:?}", line);
                proptest::prop_assert!(!line.contains("##["), "{:?}", line);
                proptest::prop_assert!(!line.contains("##vso["), "{:?}", line);
            }
            let restored = lines.join("\n").replace('\u{2060}', "");
            proptest::prop_assert_eq!(restored, text);
        }
    }

    #[test]
    fn untrusted_text_cannot_start_a_command() {
        let hostile = "ok\n  ::add-mask::x\n::set-output name=x::y\nfoo ##vso[task.setvariable variable=x]y\n##[group]g";
        for line in inert_lines(hostile) {
            assert!(!line.trim_start().starts_with("::"), "{line}");
            assert!(!line.contains("##[") && !line.contains("##vso["), "{line}");
        }
        assert_eq!(inert_lines("plain text"), vec!["plain text"]);
        assert!(!inert_single_line("a\nb").contains('\n'));
    }
}
