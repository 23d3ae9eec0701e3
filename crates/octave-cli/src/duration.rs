//! Parsing of durations such as `30s`, `5m`, `1h30m` or `250ms` on the command line.

use std::time::Duration;

/// Parses a duration made of one or more `NUMBER UNIT` parts (`ms`, `s`, `m`, `h`, `d`); a
/// bare number is seconds. Used as a clap value parser.
///
/// # Errors
///
/// Returns a message naming the value when a part has no number, an unknown unit or the
/// total overflows.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let trimmed = text.trim();
    let invalid = |reason: &str| {
        format!("invalid duration `{text}`: {reason}; use e.g. `30s`, `5m`, `1h` or `250ms`")
    };
    if trimmed.is_empty() {
        return Err(invalid("it is empty"));
    }
    if let Ok(seconds) = trimmed.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }

    let mut total = Duration::ZERO;
    let mut rest = trimmed;
    while !rest.is_empty() {
        let digits = rest
            .find(|character: char| !character.is_ascii_digit() && character != '.')
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(invalid("expected a number before each unit"));
        }
        let number: f64 = rest[..digits]
            .parse()
            .map_err(|_| invalid("a number is malformed"))?;
        rest = &rest[digits..];

        let unit_length = rest
            .find(|character: char| character.is_ascii_digit())
            .unwrap_or(rest.len());
        let seconds_per_unit = match rest[..unit_length].trim() {
            "ms" => 0.001,
            "s" | "sec" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            "d" => 86_400.0,
            "" => return Err(invalid("a number has no unit")),
            _ => return Err(invalid("unknown unit (expected ms, s, m, h or d)")),
        };
        rest = &rest[unit_length..];

        let part = Duration::try_from_secs_f64(number * seconds_per_unit)
            .map_err(|_| invalid("it is too large"))?;
        total = total
            .checked_add(part)
            .ok_or_else(|| invalid("it is too large"))?;
    }
    Ok(total)
}

/// Parses a duration like [`parse_duration`] and rejects zero, for settings such as timeouts
/// and poll intervals where zero would make every request fail or poll without a pause.
///
/// # Errors
///
/// Returns the errors of [`parse_duration`], and a message naming the value when it is zero.
pub fn parse_positive_duration(text: &str) -> Result<Duration, String> {
    let duration = parse_duration(text)?;
    if duration.is_zero() {
        return Err(format!(
            "invalid duration `{text}`: it must be above zero; use e.g. `30s` or `250ms`"
        ));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_single_units() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
    }

    #[test]
    fn parses_bare_seconds_and_combinations() {
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
    }

    #[test]
    fn positive_duration_rejects_zero() {
        assert!(parse_positive_duration("0s").is_err());
        assert!(parse_positive_duration("0").is_err());
        assert_eq!(parse_positive_duration("1ms"), Ok(Duration::from_millis(1)));
    }

    #[test]
    fn rejects_malformed_durations() {
        for text in ["", "s", "10x", "5 minutes", "1h-2m", "1e400h"] {
            let error = parse_duration(text).expect_err(text);
            assert!(error.contains(&format!("`{text}`")), "{error}");
        }
    }
}
