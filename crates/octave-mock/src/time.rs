//! ISO-8601 timestamps without a date-time dependency.

use std::time::{SystemTime, UNIX_EPOCH};

/// Formats a time as UTC ISO-8601 with milliseconds, e.g. `2021-01-01T00:00:00.000Z`.
/// Times before 1970 are formatted as 1970-01-01.
pub(crate) fn iso8601(time: SystemTime) -> String {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_epoch.as_secs();
    let millis = since_epoch.subsec_millis();
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let second_of_day = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);

    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// Returns the current time as ISO-8601.
pub(crate) fn now_iso8601() -> String {
    iso8601(SystemTime::now())
}

/// Converts days since 1970-01-01 to a proleptic Gregorian (year, month, day), using Howard
/// Hinnant's `civil_from_days` algorithm: count in 400-year eras whose years start in March,
/// so the leap day falls at the end of each year.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let leap_day = UNIX_EPOCH + Duration::from_millis(951_782_400_123);
        assert_eq!(iso8601(leap_day), "2000-02-29T00:00:00.123Z");
        let new_year = UNIX_EPOCH + Duration::from_secs(1_609_459_199);
        assert_eq!(iso8601(new_year), "2020-12-31T23:59:59.000Z");
    }
}
