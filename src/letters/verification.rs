//! Verification codes: a per-letter secret a person can check on the organisation's own site
//! or by phone, so that a genuine letter can be told from a phishing copy. 80 bits from the
//! operating system's random source, written in Crockford's base32 (no I, L, O or U, so
//! nothing reads as another character) in four groups of four: `7KQ2-M9XD-4T0B-HC3W`.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::error::{Error, Result};

/// Crockford's base32 alphabet.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Bits of randomness in a code.
pub const BITS: usize = 80;
const CHARS: usize = BITS / 5;

/// A letter's verification code.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct VerificationCode([u8; BITS / 8]);

impl VerificationCode {
    /// A fresh code from the operating system's random source.
    pub fn generate() -> Result<VerificationCode> {
        let mut bytes = [0u8; BITS / 8];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::failure(format!("cannot read the system's random source: {e}")))?;
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
    fn generated_codes_are_unique_and_use_every_bit() {
        let mut seen = HashSet::new();
        let (mut ones, mut draws) = ([0u32; BITS], 0u32);
        for _ in 0..100_000 {
            let code = VerificationCode::generate().unwrap();
            assert!(seen.insert(code.to_string()), "a code repeated");
            for (i, count) in ones.iter_mut().enumerate() {
                *count += u32::from(code.0[i / 8] >> (7 - i % 8) & 1);
            }
            draws += 1;
        }
        // Every one of the 80 bit positions is random: set about half the time (a fixed or
        // biased bit would be ~0%, ~100% or far from 50%; 6 sigma here is ±0.95%).
        for (i, count) in ones.iter().enumerate() {
            let share = f64::from(*count) / f64::from(draws);
            assert!(
                (0.49..=0.51).contains(&share),
                "bit {i} set in {share:.3} of codes"
            );
        }
    }
}
