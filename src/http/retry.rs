//! When a failed request is worth sending again, and how long to wait first.
//!
//! The API documents no rate limit and no retry policy [C: no source], so this follows the usual
//! rules: retry what is likely to be temporary (rate limiting, gateway and server trouble, lost
//! connections), wait with exponential backoff and full jitter so that many clients do not retry
//! in step, and let the server's own `Retry-After` win when it sends one.

use std::time::{Duration, SystemTime};

use rand::Rng;

/// The longest `Retry-After` obeyed. A server asking for more is asked again after this long:
/// a CLI run that silently sleeps for an hour looks hung, and a minute is long enough for any
/// rate limit window or deploy seen in practice.
pub(super) const RETRY_AFTER_CAP: Duration = Duration::from_secs(60);

/// Rate limiting (429) and the server or gateway failures that usually pass (500, 502, 503,
/// 504). Every other error status is an answer about the request itself, and asking again gets
/// the same answer.
pub(super) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// The wait before retry number `retry` (0 for the first retry): uniformly random in
/// `[0, min(cap, base * 2^retry)]` ("full jitter").
pub(super) fn backoff_delay(
    retry: u32,
    base: Duration,
    cap: Duration,
    rng: &mut impl Rng,
) -> Duration {
    Duration::from_nanos(rng.random_range(0..=backoff_ceiling_nanos(retry, base, cap)))
}

/// `min(cap, base * 2^retry)` in nanoseconds, saturating instead of overflowing for any `retry`.
fn backoff_ceiling_nanos(retry: u32, base: Duration, cap: Duration) -> u64 {
    let factor = 1u128.checked_shl(retry).unwrap_or(u128::MAX);
    let ceiling = base.as_nanos().saturating_mul(factor).min(cap.as_nanos());
    // Only a cap beyond 584 years does not fit; the u64 maximum is then still below the cap.
    u64::try_from(ceiling).unwrap_or(u64::MAX)
}

/// The wait a `Retry-After` header asks for: delta-seconds or an HTTP date, at most
/// [`RETRY_AFTER_CAP`]. A date in the past means "now". `None` for a value that is neither, so
/// the caller falls back to its own backoff.
pub(super) fn retry_after_delay(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let delay = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let date = httpdate::parse_http_date(value).ok()?;
            date.duration_since(now).unwrap_or(Duration::ZERO)
        }
    };
    Some(delay.min(RETRY_AFTER_CAP))
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::prelude::*;
    use rand::SeedableRng;
    use rand::rngs::SmallRng;

    #[test]
    fn only_temporary_failures_are_retried() {
        for status in [429, 500, 502, 503, 504] {
            assert!(is_retryable_status(status), "{status}");
        }
        for status in [400, 401, 403, 404, 405, 409, 422, 501, 505] {
            assert!(!is_retryable_status(status), "{status}");
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let date = |offset: i64| {
            let at = if offset >= 0 {
                now + Duration::from_secs(offset.unsigned_abs())
            } else {
                now - Duration::from_secs(offset.unsigned_abs())
            };
            httpdate::fmt_http_date(at)
        };
        assert_eq!(retry_after_delay("0", now), Some(Duration::ZERO));
        assert_eq!(retry_after_delay(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after_delay(&date(12), now),
            Some(Duration::from_secs(12))
        );
        assert_eq!(retry_after_delay(&date(-30), now), Some(Duration::ZERO));
    }

    #[test]
    fn retry_after_is_capped() {
        let now = SystemTime::now();
        assert_eq!(retry_after_delay("86400", now), Some(RETRY_AFTER_CAP));
        let next_week = httpdate::fmt_http_date(now + Duration::from_secs(7 * 86400));
        assert_eq!(retry_after_delay(&next_week, now), Some(RETRY_AFTER_CAP));
        assert_eq!(
            retry_after_delay("99999999999999999999999", now),
            None,
            "too large for a number, and not a date"
        );
    }

    #[test]
    fn garbage_retry_after_is_ignored() {
        let now = SystemTime::now();
        for garbage in ["", "soon", "-1", "1.5", "Mon, 32 Foo 2024 99:00:00 GMT"] {
            assert_eq!(retry_after_delay(garbage, now), None, "{garbage:?}");
        }
    }

    #[test]
    fn the_backoff_ceiling_saturates() {
        let base = Duration::from_millis(250);
        let cap = Duration::from_secs(20);
        assert_eq!(backoff_ceiling_nanos(0, base, cap), 250_000_000);
        assert_eq!(backoff_ceiling_nanos(3, base, cap), 2_000_000_000);
        assert_eq!(backoff_ceiling_nanos(7, base, cap), 20_000_000_000);
        assert_eq!(backoff_ceiling_nanos(u32::MAX, base, cap), 20_000_000_000);
        assert_eq!(backoff_ceiling_nanos(u32::MAX, Duration::ZERO, cap), 0);
    }

    #[test]
    fn the_backoff_is_spread_uniformly_up_to_its_ceiling() {
        // Full jitter draws uniformly from [0, ceiling]: over many draws the largest comes close
        // to the ceiling and the mean close to half of it. A backoff that never waits (or always
        // waits the whole ceiling) passes the bounds above, but not this.
        let base = Duration::from_millis(250);
        let cap = Duration::from_secs(20);
        let mut rng = SmallRng::seed_from_u64(15);
        let draws = 10_000;
        for (retry, ceiling) in [
            (0, Duration::from_millis(250)),
            (3, Duration::from_secs(2)),
            (12, Duration::from_secs(20)),
        ] {
            let delays: Vec<Duration> = (0..draws)
                .map(|_| backoff_delay(retry, base, cap, &mut rng))
                .collect();
            let longest = delays.iter().max().copied().unwrap_or_default();
            let mean = delays.iter().sum::<Duration>() / draws;
            assert!(
                longest <= ceiling && longest >= ceiling.mul_f64(0.99),
                "retry {retry}: longest {longest:?} of ceiling {ceiling:?}"
            );
            assert!(
                mean >= ceiling.mul_f64(0.48) && mean <= ceiling.mul_f64(0.52),
                "retry {retry}: mean {mean:?} of ceiling {ceiling:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn the_backoff_stays_within_full_jitter_bounds(
            retry in any::<u32>(),
            base_micros in 0u64..10_000_000,
            cap_micros in 0u64..100_000_000,
            seed in any::<u64>(),
        ) {
            let base = Duration::from_micros(base_micros);
            let cap = Duration::from_micros(cap_micros);
            let mut rng = SmallRng::seed_from_u64(seed);
            let delay = backoff_delay(retry, base, cap, &mut rng);
            let ceiling = 2u32
                .checked_pow(retry)
                .and_then(|factor| base.checked_mul(factor))
                .map_or(cap, |exponential| exponential.min(cap));
            let ceiling = if base.is_zero() { Duration::ZERO } else { ceiling };
            prop_assert!(delay <= ceiling, "{delay:?} > {ceiling:?}");
        }
    }
}
