//! Money, exact: an integer count of minor units (cents) and an ISO 4217 currency, parsed
//! from and written as a decimal string (`"2500.00"`). No float is involved anywhere; amounts
//! of different currencies cannot be added, and an addition that would overflow fails.

use std::fmt;

use crate::values::ValueError;

/// A currency CUF's groups use, with its number of minor-unit digits (ISO 4217).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u32,
}

/// The currencies accepted: the euro first, then those of CUF's partner countries.
const CURRENCIES: [(&str, u32); 23] = [
    ("EUR", 2),
    ("USD", 2),
    ("MXN", 2),
    ("GBP", 2),
    ("CHF", 2),
    ("CAD", 2),
    ("BRL", 2),
    ("ARS", 2),
    ("CLP", 0),
    ("COP", 2),
    ("XOF", 0),
    ("XAF", 0),
    ("MAD", 2),
    ("DZD", 2),
    ("TND", 3),
    ("LBP", 2),
    ("HTG", 2),
    ("MGA", 2),
    ("VND", 0),
    ("JPY", 0),
    ("CNY", 2),
    ("INR", 2),
    ("ILS", 2),
];

impl Currency {
    /// The euro, every programme's default currency.
    pub const EUR: Currency = Currency {
        code: "EUR",
        exponent: 2,
    };

    /// A known ISO 4217 code, in any case.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let code = text.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .find(|(known, _)| *known == code)
            .map(|(code, exponent)| Currency {
                code,
                exponent: *exponent,
            })
            .ok_or_else(|| {
                ValueError(format!(
                    "{text:?} is not a currency this API accepts (ISO 4217)"
                ))
            })
    }

    /// The ISO 4217 code.
    pub fn code(self) -> &'static str {
        self.code
    }

    /// How many digits the minor unit has (2 for EUR, 0 for XOF, 3 for TND).
    pub fn exponent(self) -> u32 {
        self.exponent
    }
}

/// An exact amount of one currency, never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// `minor` units of `currency`; refuses a negative amount.
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Self, ValueError> {
        if minor < 0 {
            return Err(ValueError("must not be negative".into()));
        }
        Ok(Self { minor, currency })
    }

    /// Nothing, in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Self { minor: 0, currency }
    }

    /// Parses a decimal string such as `"2500"`, `"2500.5"` or `"833.34"` in `currency`:
    /// digits, at most one point, no more decimals than the currency has, not negative.
    pub fn parse(text: &str, currency: Currency) -> Result<Self, ValueError> {
        let text = text.trim();
        let invalid = || ValueError(format!("{text:?} is not an amount such as \"2500.00\""));
        let (units, decimals) = text.split_once('.').unwrap_or((text, ""));
        let digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
        if units.is_empty()
            || !digits(units)
            || !digits(decimals)
            || (text.contains('.') && decimals.is_empty())
        {
            return Err(if text.starts_with('-') {
                ValueError("must not be negative".into())
            } else {
                invalid()
            });
        }
        if decimals.len() > currency.exponent as usize {
            return Err(ValueError(format!(
                "{text:?} has more decimals than {} allows ({})",
                currency.code, currency.exponent
            )));
        }
        let scale = 10_i64.pow(currency.exponent);
        let units: i64 = units.parse().map_err(|_| invalid())?;
        let padded = format!("{decimals:0<width$}", width = currency.exponent as usize);
        let fraction: i64 = if padded.is_empty() {
            0
        } else {
            padded.parse().map_err(|_| invalid())?
        };
        let minor = units
            .checked_mul(scale)
            .and_then(|value| value.checked_add(fraction))
            .ok_or_else(invalid)?;
        Ok(Self { minor, currency })
    }

    /// The count of minor units.
    pub fn minor(self) -> i64 {
        self.minor
    }

    /// The currency.
    pub fn currency(self) -> Currency {
        self.currency
    }

    /// The sum, when both are of one currency and it fits.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        (self.currency == other.currency)
            .then(|| self.minor.checked_add(other.minor))
            .flatten()
            .map(|minor| Money {
                minor,
                currency: self.currency,
            })
    }

    /// `self - other` as a signed count of minor units (a gap when positive, an excess when
    /// negative), when both are of one currency.
    pub fn difference(self, other: Money) -> Option<i64> {
        (self.currency == other.currency).then(|| self.minor - other.minor)
    }
}

impl fmt::Display for Money {
    /// The decimal string, with exactly the currency's decimals: `"833.34"`, `"1500"` (XOF).
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&decimal(i128::from(self.minor), self.currency))
    }
}

/// `minor` units of `currency` as a decimal string with exactly the currency's decimals, as
/// [`Money`] prints itself: for sums of amounts (a programme's totals, an authority's
/// contributions), which can exceed what one amount holds.
pub fn decimal(minor: i128, currency: Currency) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let magnitude = minor.unsigned_abs();
    let exponent = currency.exponent;
    if exponent == 0 {
        return format!("{sign}{magnitude}");
    }
    let scale = 10_u128.pow(exponent);
    format!(
        "{sign}{}.{:0width$}",
        magnitude / scale,
        magnitude % scale,
        width = exponent as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_past_one_amount_print_exactly() {
        let eur = Currency::EUR;
        let largest = i128::from(i64::MAX);
        assert_eq!(decimal(largest * 2, eur), "184467440737095516.14");
        assert_eq!(decimal(-5, eur), "-0.05");
        let xof = Currency::parse("XOF").unwrap();
        assert_eq!(decimal(largest + 1, xof), "9223372036854775808");
    }

    #[test]
    fn amounts_parse_exactly_and_print_back() {
        let eur = Currency::EUR;
        assert_eq!(Money::parse("2500", eur).unwrap().minor(), 250_000);
        assert_eq!(Money::parse("2500.5", eur).unwrap().to_string(), "2500.50");
        assert_eq!(Money::parse(" 833.34 ", eur).unwrap().to_string(), "833.34");
        assert_eq!(Money::parse("0.07", eur).unwrap().minor(), 7);
        let xof = Currency::parse("xof").unwrap();
        assert_eq!(Money::parse("1500", xof).unwrap().to_string(), "1500");
        let tnd = Currency::parse("TND").unwrap();
        assert_eq!(Money::parse("1.5", tnd).unwrap().to_string(), "1.500");
        for bad in [
            "",
            "-1",
            "1.234",
            "1,5",
            "1.",
            ".5",
            "1e3",
            "abc",
            "99999999999999999999",
        ] {
            assert!(Money::parse(bad, eur).is_err(), "{bad}");
        }
        assert!(Money::parse("1.5", xof).is_err(), "XOF has no decimals");
        assert!(Currency::parse("ZZZ").is_err());
        assert!(Money::from_minor(-1, eur).is_err());
    }

    #[test]
    fn currencies_do_not_mix() {
        let eur = Money::parse("1", Currency::EUR).unwrap();
        let usd = Money::parse("1", Currency::parse("USD").unwrap()).unwrap();
        assert_eq!(eur.checked_add(usd), None);
        assert_eq!(
            eur.checked_add(eur).map(|sum| sum.to_string()),
            Some("2.00".into())
        );
        assert_eq!(eur.difference(Money::zero(Currency::EUR)), Some(100));
    }
}
