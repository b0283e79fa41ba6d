//! Parsers for the value forms of docs/inputs.md: booleans, durations, lists, sizes.
//! Each returns a message fit to follow "input `name`: " on failure.

use std::time::Duration;

/// `true/false/yes/no/1/0` in any case.
pub fn parse_bool(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Ok(true),
        "false" | "no" | "0" => Ok(false),
        _ => Err(format!(
            "`{text}` is not a boolean; use true/false, yes/no or 1/0"
        )),
    }
}

/// `90s`, `15m`, `2h`, `500ms`, or plain seconds. Fractions are allowed (`1.5h`); negative
/// values not.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    let bad =
        || format!("`{text}` is not a duration; use a number of seconds or e.g. 90s, 15m, 2h");
    let (number, unit_seconds) = match trimmed.char_indices().last() {
        Some((i, 's')) if trimmed[..i].ends_with('m') => (&trimmed[..i - 1], 0.001),
        Some((i, 's')) => (&trimmed[..i], 1.0),
        Some((i, 'm')) => (&trimmed[..i], 60.0),
        Some((i, 'h')) => (&trimmed[..i], 3600.0),
        Some(_) => (trimmed, 1.0),
        None => return Err(bad()),
    };
    let number = number.trim();
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(bad());
    }
    let value: f64 = number.parse().map_err(|_| bad())?;
    let seconds = value * unit_seconds;
    if !seconds.is_finite() || seconds > 365.0 * 24.0 * 3600.0 {
        return Err(format!("`{text}` is longer than a year"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// Newline- or comma-separated items; blank items are ignored.
pub fn parse_list(text: &str) -> Vec<String> {
    text.split(['\n', ','])
        .map(|item| item.trim().trim_end_matches('\r').trim())
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

/// Byte sizes: `4194304`, `512KiB`, `8MiB`, `1GiB` (also `K`, `M`, `G`, `KB`, `MB`, `GB`, taken as binary).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (digits, unit) = trimmed.split_at(split);
    let bad = || format!("`{text}` is not a size; use bytes or e.g. 512KiB, 8MiB");
    let number: u64 = digits.parse().map_err(|_| bad())?;
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return Err(bad()),
    };
    number.checked_mul(multiplier).ok_or_else(bad)
}

/// A percentage from 0 to 100 with `.` as the decimal separator (`10`, `12.5`, `25%`). A
/// comma is refused rather than guessed at: `1,5` could be one and a half or fifteen.
pub fn parse_percentage(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    let number = trimmed.strip_suffix('%').unwrap_or(trimmed).trim();
    if number.contains(',') {
        return Err(format!(
            "`{text}` is not a percentage: use `.` as the decimal separator, e.g. 12.5"
        ));
    }
    let well_formed = !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit() || c == '.')
        && number.matches('.').count() <= 1
        && !number.starts_with('.')
        && !number.ends_with('.');
    let value: f64 = match number.parse() {
        Ok(v) if well_formed => v,
        _ => {
            return Err(format!(
                "`{text}` is not a percentage: give a number from 0 to 100, e.g. 10 or 12.5"
            ));
        }
    };
    if !(0.0..=100.0).contains(&value) {
        return Err(format!("`{text}` is not from 0 to 100"));
    }
    Ok(value)
}

/// A percentage as the API takes it: the shortest form, `.` as the separator whatever the
/// locale (`10`, `12.5`;
/// https://learn.microsoft.com/windows/uwp/monetize/update-the-package-rollout-percentage-for-an-app-submission).
pub fn format_percentage(value: f64) -> String {
    format!("{value}")
}

/// An ISO 8601 date and time with a time zone (`2026-12-01T09:00:00Z`,
/// `2026-12-01T10:00:00+01:00`). Without one the moment is ambiguous (StoreBroker reads it
/// in the machine's zone; a CI runner's is usually UTC, a laptop's not), so it is refused.
pub fn parse_timestamp(text: &str) -> Result<jiff::Timestamp, String> {
    let trimmed = text.trim();
    trimmed.parse::<jiff::Timestamp>().map_err(|_| {
        let hint = if trimmed.parse::<jiff::civil::DateTime>().is_ok()
            || trimmed.parse::<jiff::civil::Date>().is_ok()
        {
            " (add the time zone: `Z` for UTC or an offset like +02:00)"
        } else {
            ""
        };
        format!(
            "`{text}` is not an ISO 8601 date and time with a time zone, e.g. 2026-12-01T09:00:00Z{hint}"
        )
    })
}

/// A moment as the API writes dates: UTC, whole seconds, `Z` (`2026-12-01T09:00:00Z`).
pub fn format_timestamp(timestamp: jiff::Timestamp) -> String {
    timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Human form of a duration for messages: `45s`, `15m`, `1h 5m`.
pub fn format_duration(duration: Duration) -> String {
    let total = duration.as_secs();
    if duration < Duration::from_secs(1) {
        return format!("{}ms", duration.as_millis());
    }
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    match (h, m, s) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m {s}s"),
        (h, 0, _) => format!("{h}h"),
        (h, m, _) => format!("{h}h {m}m"),
    }
}

/// Human form of a byte count: `1.5 MiB`.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans() {
        for t in ["true", "TRUE", "Yes", "1", " true "] {
            assert_eq!(parse_bool(t), Ok(true), "{t}");
        }
        for f in ["false", "No", "0", "FALSE"] {
            assert_eq!(parse_bool(f), Ok(false), "{f}");
        }
        for bad in ["", "y", "2", "on", "truee"] {
            assert!(parse_bool(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_duration("0.5s"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        for bad in [
            "",
            "s",
            "ms",
            "-5s",
            "5x",
            "five",
            "1e3",
            "10 minutes",
            "9999h",
            "5mms",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn lists() {
        assert_eq!(parse_list("a, b\n\nc\r\n,"), vec!["a", "b", "c"]);
        assert!(parse_list(" , \n ").is_empty());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("8MiB"), Ok(8 << 20));
        assert_eq!(parse_size("512KiB"), Ok(512 << 10));
        assert_eq!(parse_size("4194304"), Ok(4 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        for bad in ["", "MiB", "-1", "8 XB", "1.5MiB"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn percentages() {
        assert_eq!(parse_percentage("10"), Ok(10.0));
        assert_eq!(parse_percentage(" 12.5 "), Ok(12.5));
        assert_eq!(parse_percentage("25%"), Ok(25.0));
        assert_eq!(parse_percentage("0"), Ok(0.0));
        assert_eq!(parse_percentage("100"), Ok(100.0));
        assert!(parse_percentage("12,5").unwrap_err().contains("`.`"));
        for bad in [
            "", "-1", "100.1", "150", "ten", "1e2", ".5", "5.", "1.2.3", "NaN", "inf",
        ] {
            assert!(parse_percentage(bad).is_err(), "{bad}");
        }
        assert_eq!(format_percentage(10.0), "10");
        assert_eq!(format_percentage(12.5), "12.5");
        assert_eq!(format_percentage(0.25), "0.25");
    }

    #[test]
    fn timestamps() {
        let t = parse_timestamp("2026-12-01T10:30:00+01:00").unwrap();
        assert_eq!(format_timestamp(t), "2026-12-01T09:30:00Z");
        let t = parse_timestamp("2026-12-01T09:30:00.1234567Z").unwrap();
        assert_eq!(format_timestamp(t), "2026-12-01T09:30:00Z");
        assert!(
            parse_timestamp("2026-12-01T09:30:00")
                .unwrap_err()
                .contains("time zone")
        );
        assert!(
            parse_timestamp("2026-12-01")
                .unwrap_err()
                .contains("time zone")
        );
        assert!(parse_timestamp("next tuesday").is_err());
    }

    #[test]
    fn formatting() {
        assert_eq!(format_duration(Duration::from_secs(45)), "45s");
        assert_eq!(format_duration(Duration::from_secs(900)), "15m");
        assert_eq!(format_duration(Duration::from_secs(3900)), "1h 5m");
        assert_eq!(format_size(1536), "1.5 KiB");
        assert_eq!(format_size(12), "12 B");
    }
}
