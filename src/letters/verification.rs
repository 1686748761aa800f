//! Verification codes: a per-letter secret a person can check on the organisation's own site
//! or by phone, so that a genuine letter can be told from a phishing copy. 80 bits written in
//! Crockford's base32 (no I, L, O or U, so nothing reads as another character) in four groups
//! of four: `7KQ2-M9XD-4T0B-HC3W`.
//!
//! The last 64 bits are the secret: drawn from the operating system's random source for every
//! letter. The first 16 are a *series* that a rendering run steps every 1,024 letters from a
//! random start ([`CodeSeries`]). The series is not secret and guards nothing; it makes codes
//! rendered together sort together, so the outbox's unique index on them grows at a few
//! places instead of at a random leaf per letter (at a million letters that index outgrows
//! the render's page cache, and random inserts took 40% of the run). Guessing a valid code
//! stays a one in 2^64 / 1,024 chance per try even for someone who knows a series in use.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU32, Ordering};

use serde::{Serialize, Serializer};

use crate::error::{Error, Result};

/// Crockford's base32 alphabet.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Bits in a code.
pub const BITS: usize = 80;
/// Bits of a code drawn at random for it alone.
pub const RANDOM_BITS: usize = 64;
const CHARS: usize = BITS / 5;
/// Letters per step of a series.
const SERIES_STEP: u32 = 1024;

/// A letter's verification code.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct VerificationCode([u8; BITS / 8]);

impl VerificationCode {
    /// A fresh code in a series of its own (a preview's, a benchmark's).
    pub fn generate() -> Result<VerificationCode> {
        CodeSeries::new()?.next()
    }

    /// A code of `series` with 64 bits fresh from the operating system's random source.
    fn in_series(series: u16) -> Result<VerificationCode> {
        let mut bytes = [0u8; BITS / 8];
        bytes[..2].copy_from_slice(&series.to_be_bytes());
        random(&mut bytes[2..])?;
        Ok(VerificationCode(bytes))
    }

    /// A code from known bytes: for tests and for reproducing a stored letter.
    pub fn from_bytes(bytes: [u8; BITS / 8]) -> VerificationCode {
        VerificationCode(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; BITS / 8] {
        &self.0
    }

    /// The 16 characters without separators.
    fn digits(&self) -> [u8; CHARS] {
        let mut out = [0u8; CHARS];
        let value = self.0.iter().fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
        for (i, slot) in out.iter_mut().enumerate() {
            let shift = BITS - 5 * (i + 1);
            *slot = ALPHABET[((value >> shift) & 31) as usize];
        }
        out
    }
}

fn random(bytes: &mut [u8]) -> Result<()> {
    getrandom::fill(bytes).map_err(|e| Error::failure(format!("cannot read the system's random source: {e}")))
}

/// The codes of one rendering run: series from a random start, a step every 1,024 codes.
/// Shared by a run's threads.
pub struct CodeSeries {
    start: u16,
    issued: AtomicU32,
}

impl CodeSeries {
    pub fn new() -> Result<CodeSeries> {
        let mut start = [0u8; 2];
        random(&mut start)?;
        Ok(CodeSeries {
            start: u16::from_be_bytes(start),
            issued: AtomicU32::new(0),
        })
    }

    /// The run's next code.
    pub fn next(&self) -> Result<VerificationCode> {
        let n = self.issued.fetch_add(1, Ordering::Relaxed);
        // Wraps after 64M codes of one run: harmless, the series is only an ordering.
        let series = self.start.wrapping_add((n / SERIES_STEP) as u16);
        VerificationCode::in_series(series)
    }
}

impl fmt::Display for VerificationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.digits();
        for (i, group) in digits.chunks(4).enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            // The alphabet is ASCII.
            f.write_str(std::str::from_utf8(group).unwrap_or_default())?;
        }
        Ok(())
    }
}

impl fmt::Debug for VerificationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A code is a secret of sorts: keep it out of debug logs.
        f.write_str("VerificationCode(..)")
    }
}

impl FromStr for VerificationCode {
    type Err = Error;

    /// Reads a code as a person types it: any case, with or without separators or spaces;
    /// `I`/`L` read as 1 and `O` as 0, as Crockford's base32 prescribes.
    fn from_str(s: &str) -> Result<VerificationCode> {
        let bad = || {
            Error::bad_input(format!(
                "'{s}' is not a verification code: they look like 7KQ2-M9XD-4T0B-HC3W"
            ))
        };
        let mut value = 0u128;
        let mut count = 0;
        for c in s.chars().filter(|c| !matches!(c, '-' | ' ')) {
            let c = match c.to_ascii_uppercase() {
                'I' | 'L' => '1',
                'O' => '0',
                c => c,
            };
            let digit = ALPHABET.iter().position(|&a| a as char == c).ok_or_else(bad)?;
            value = (value << 5) | digit as u128;
            count += 1;
        }
        if count != CHARS {
            return Err(bad());
        }
        let mut bytes = [0u8; BITS / 8];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (value >> (BITS - 8 * (i + 1))) as u8;
        }
        Ok(VerificationCode(bytes))
    }
}

impl Serialize for VerificationCode {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn codes_are_grouped_and_read_back_forgivingly() {
        let code = VerificationCode::from_bytes([0x3a, 0x7f, 0x00, 0x91, 0xc4, 0x5e, 0x22, 0xb0, 0x0d, 0xff]);
        let text = code.to_string();
        assert_eq!(text.len(), 19);
        assert_eq!(text.matches('-').count(), 3);
        assert_eq!(text.parse::<VerificationCode>().unwrap(), code);
        let typed = text
            .to_lowercase()
            .replace('-', " ")
            .replace('0', "o")
            .replace('1', "l");
        assert_eq!(typed.parse::<VerificationCode>().unwrap(), code);
        assert_eq!(
            VerificationCode::from_bytes([0; 10]).to_string(),
            "0000-0000-0000-0000"
        );
        assert_eq!(
            VerificationCode::from_bytes([0xff; 10]).to_string(),
            "ZZZZ-ZZZZ-ZZZZ-ZZZZ"
        );
        for bad in [
            "",
            "7KQ2-M9XD-4T0B",
            "7KQ2-M9XD-4T0B-HC3WX",
            "7KQ2-M9XD-4T0B-HC3U",
        ] {
            assert!(bad.parse::<VerificationCode>().is_err(), "{bad}");
        }
    }

    #[test]
    fn codes_are_unique_with_64_random_bits_after_their_series() {
        let series = CodeSeries::new().unwrap();
        let mut seen = HashSet::new();
        let (mut ones, mut draws) = ([0u32; RANDOM_BITS], 0u32);
        let mut previous: Option<VerificationCode> = None;
        for n in 0..100_000u32 {
            let code = series.next().unwrap();
            assert!(seen.insert(code.to_string()), "a code repeated");
            let step = u16::from_be_bytes([code.0[0], code.0[1]]).wrapping_sub(series.start);
            assert_eq!(
                u32::from(step),
                n / SERIES_STEP,
                "code {n} is in the wrong series"
            );
            for (i, count) in ones.iter_mut().enumerate() {
                let bit = BITS - RANDOM_BITS + i;
                *count += u32::from(code.0[bit / 8] >> (7 - bit % 8) & 1);
            }
            draws += 1;
            // Codes of one series sort apart from the next series' (unless the series wraps).
            if let Some(p) = previous
                && n % SERIES_STEP == 0
                && step != 0
                && series.start.checked_add(step).is_some()
            {
                assert!(
                    p.to_string() < code.to_string(),
                    "series {step} sorts before {}",
                    step - 1
                );
            }
            previous = Some(code);
        }
        // Each of the 64 secret bit positions is random: set about half the time (a fixed or
        // biased bit would be ~0%, ~100% or far from 50%; 6 sigma here is ±0.95%).
        for (i, count) in ones.iter().enumerate() {
            let share = f64::from(*count) / f64::from(draws);
            assert!(
                (0.49..=0.51).contains(&share),
                "random bit {i} set in {share:.3} of codes"
            );
        }
        // Two runs start at unrelated series.
        let starts: HashSet<u16> = (0..16).map(|_| CodeSeries::new().unwrap().start).collect();
        assert!(starts.len() > 8, "series starts repeat: {starts:?}");
    }
}
