//! Escaping rules of the two runners (reference ci-platforms §1.8, §2.2), and the one rule
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

fn inert_line(line: &str) -> String {
    let mut out = line.replace('\r', "\\r").replace("##", "#\u{2060}#");
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
