//! Off-peak prices (LiteLLM's `off_peak_pricing`, e.g. DeepSeek's night discount): rates that
//! replace the standard ones while one of the block's UTC windows is open.
//!
//! Time is a parameter (`now_ms`, Unix milliseconds), never read here. A window `HH:MM-HH:MM`
//! includes its start and excludes its end, may wrap past midnight, and covers the whole day when
//! start equals end; malformed windows are ignored. `weekdays` (ISO, 1 = Monday) are read on the
//! block's `weekday_timezone` calendar: UTC, or one of the fixed-offset zones in [`zone_offset`];
//! an unknown zone reads as UTC (LiteLLM reads any IANA zone — a documented gap for zones with
//! daylight saving time, none of which the table uses).

use std::collections::BTreeMap;

use serde::Serialize;

use super::table::{self, OffPeak};

/// An owned `off_peak_pricing` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OffPeakPricing {
    /// The off-peak rates (`input_cost_per_token`, `output_cost_per_token`, ...).
    #[serde(flatten)]
    pub rates: BTreeMap<String, f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hours_utc: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<OffPeakWindow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weekday_timezone: Option<String>,
}

/// Windows that apply on some ISO weekdays (`None` = every day).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OffPeakWindow {
    pub hours_utc: Vec<String>,
    pub weekdays: Option<Vec<u8>>,
}

impl OffPeakPricing {
    pub(super) fn from_builtin(o: &OffPeak) -> OffPeakPricing {
        OffPeakPricing {
            rates: super::info::map_of(table::price_pairs(o.prices).map(|(k, v)| (k.to_string(), v))),
            hours_utc: o.hours_utc.iter().map(|s| s.to_string()).collect(),
            windows: o
                .windows
                .iter()
                .map(|w| OffPeakWindow {
                    hours_utc: w.hours_utc.iter().map(|s| s.to_string()).collect(),
                    weekdays: w.weekdays.map(<[u8]>::to_vec),
                })
                .collect(),
            weekday_timezone: (!o.weekday_timezone.is_empty())
                .then(|| o.weekday_timezone.to_string()),
        }
    }

    /// Reads a LiteLLM-shaped block (for `register_model`).
    pub(super) fn from_json(v: &serde_json::Value) -> Option<OffPeakPricing> {
        let o = v.as_object()?;
        let hours = |v: Option<&serde_json::Value>| -> Vec<String> {
            match v {
                Some(serde_json::Value::String(s)) => vec![s.clone()],
                Some(serde_json::Value::Array(a)) => a
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let windows = o
            .get("windows")
            .and_then(|w| w.as_array())
            .map(|ws| {
                ws.iter()
                    .filter_map(|w| {
                        let hours_utc = hours(w.get("hours_utc"));
                        if hours_utc.is_empty() {
                            return None;
                        }
                        let weekdays = match w.get("weekdays") {
                            None | Some(serde_json::Value::Null) => None,
                            Some(serde_json::Value::Array(days)) => {
                                Some(days.iter().filter_map(weekday).collect())
                            }
                            Some(_) => Some(Vec::new()),
                        };
                        Some(OffPeakWindow {
                            hours_utc,
                            weekdays,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        let rates = super::info::map_of(o.iter().filter_map(|(k, v)| match v {
            serde_json::Value::Number(n) => n.as_f64().map(|x| (k.clone(), x)),
            serde_json::Value::String(s) if k.contains("cost") => s.trim().parse().ok().map(|x| (k.clone(), x)),
            _ => None,
        }));
        Some(OffPeakPricing {
            rates,
            hours_utc: hours(o.get("hours_utc")),
            windows,
            weekday_timezone: o
                .get("weekday_timezone")
                .and_then(|v| v.as_str())
                .map(str::to_string),
        })
    }

    /// Whether a window is open at `now_ms` (LiteLLM's `_is_off_peak`).
    pub fn is_open(&self, now_ms: i64) -> bool {
        let secs = now_ms.div_euclid(1000);
        let second_of_day = secs.rem_euclid(86_400);
        if in_windows(&self.hours_utc, second_of_day) {
            return true;
        }
        let offset = self.weekday_timezone.as_deref().map_or(0, zone_offset);
        let local_days = (secs + offset).div_euclid(86_400);
        // 1970-01-01 was a Thursday (ISO 4).
        let iso_weekday = (local_days + 3).rem_euclid(7) + 1;
        self.windows.iter().any(|w| {
            let day_ok = w
                .weekdays
                .as_ref()
                .is_none_or(|d| d.iter().any(|&x| i64::from(x) == iso_weekday));
            day_ok && in_windows(&w.hours_utc, second_of_day)
        })
    }

    /// The off-peak rate for `key`, if the block sets one.
    pub fn rate(&self, key: &str) -> Option<f64> {
        self.rates.get(key).copied()
    }
}

fn weekday(v: &serde_json::Value) -> Option<u8> {
    match v {
        serde_json::Value::Number(n) => n.as_u64().filter(|d| (1..=7).contains(d)).map(|d| d as u8),
        serde_json::Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "mon" | "monday" => Some(1),
            "tue" | "tues" | "tuesday" => Some(2),
            "wed" | "wednesday" => Some(3),
            "thu" | "thur" | "thurs" | "thursday" => Some(4),
            "fri" | "friday" => Some(5),
            "sat" | "saturday" => Some(6),
            "sun" | "sunday" => Some(7),
            _ => None,
        },
        _ => None,
    }
}

/// UTC offset in seconds of the fixed-offset zones off-peak blocks use.
pub fn zone_offset(zone: &str) -> i64 {
    match zone.trim() {
        "Asia/Shanghai" | "Asia/Hong_Kong" | "Asia/Singapore" | "Asia/Taipei"
        | "Asia/Chongqing" | "PRC" => 8 * 3600,
        "Asia/Tokyo" | "Asia/Seoul" => 9 * 3600,
        "Asia/Kolkata" | "Asia/Calcutta" => 5 * 3600 + 1800,
        _ => 0,
    }
}

fn in_windows(windows: &[String], second_of_day: i64) -> bool {
    windows.iter().any(|w| {
        let Some((start, end)) = parse_window(w) else {
            return false;
        };
        if start < end {
            start <= second_of_day && second_of_day < end
        } else {
            second_of_day >= start || second_of_day < end
        }
    })
}

/// `HH:MM-HH:MM` as seconds of the day (Python's `strptime("%H:%M")` accepts 1 or 2 digits).
fn parse_window(w: &str) -> Option<(i64, i64)> {
    let mut parts = w.split('-');
    let (a, b) = (parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let hm = |s: &str| -> Option<i64> {
        let (h, m) = s.trim().split_once(':')?;
        let ok = |x: &str| (1..=2).contains(&x.len()) && x.bytes().all(|c| c.is_ascii_digit());
        if !ok(h) || !ok(m) {
            return None;
        }
        let (h, m) = (h.parse::<i64>().ok()?, m.parse::<i64>().ok()?);
        (h < 24 && m < 60).then_some(h * 3600 + m * 60)
    };
    Some((hm(a)?, hm(b)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block() -> OffPeakPricing {
        OffPeakPricing {
            rates: [("input_cost_per_token".to_string(), 1e-7)]
                .into_iter()
                .collect(),
            hours_utc: vec![],
            windows: vec![
                OffPeakWindow {
                    hours_utc: vec!["16:30-00:30".into()],
                    weekdays: Some(vec![1, 2, 3, 4, 5]),
                },
                OffPeakWindow {
                    hours_utc: vec!["00:00-00:00".into()],
                    weekdays: Some(vec![6, 7]),
                },
            ],
            weekday_timezone: None,
        }
    }

    #[test]
    fn windows_and_weekdays() {
        let b = block();
        // 2024-01-01 was a Monday.
        let monday = 1_704_067_200_000_i64;
        assert!(!b.is_open(monday + 12 * 3_600_000));
        assert!(b.is_open(monday + 16 * 3_600_000 + 30 * 60_000));
        assert!(b.is_open(monday + 10 * 60_000), "wraps past midnight");
        assert!(!b.is_open(monday + 30 * 60_000), "end is exclusive");
        assert!(
            b.is_open(monday + 5 * 86_400_000 + 12 * 3_600_000),
            "Saturday, all day"
        );
        assert!(
            parse_window("25:00-01:00").is_none()
                && parse_window("1:5-2:00").is_some()
                && parse_window("a-b").is_none()
        );
    }
}
