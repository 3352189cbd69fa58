//! Parsed value types: every user-supplied scalar becomes one of these at the edge, so an
//! invalid value cannot reach a domain function or the database. Each `parse` says what is
//! wrong in a lowercase message that becomes a `userError`.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// Why a value was refused, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

fn refuse<T>(message: impl Into<String>) -> Result<T, ValueError> {
    Err(ValueError(message.into()))
}

/// Every officially assigned ISO 3166-1 alpha-2 code.
const ISO_3166_ALPHA_2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF \
BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW \
CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM \
GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH \
KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP \
MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN \
PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE \
YT ZA ZM ZW";

/// An ISO 3166-1 alpha-2 country code, upper case (`FR`, `MX`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountryCode(String);

impl CountryCode {
    /// Accepts an assigned alpha-2 code in any case, surrounding spaces ignored.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let code = text.trim().to_ascii_uppercase();
        if code.len() == 2 && ISO_3166_ALPHA_2.split(' ').any(|known| known == code) {
            return Ok(Self(code));
        }
        refuse(format!(
            "{text:?} is not an ISO 3166-1 alpha-2 country code"
        ))
    }

    /// The code, e.g. `FR`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Every ISO 639-1 language code.
const ISO_639_1: &str = "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce \
ch co cr cs cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha \
he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku \
kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv \
ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st \
su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

/// An ISO 639-1 language code, lower case (`fr`, `es`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LanguageCode(String);

impl LanguageCode {
    /// Accepts an ISO 639-1 code in any case, surrounding spaces ignored.
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let code = text.trim().to_ascii_lowercase();
        if code.len() == 2 && ISO_639_1.split_whitespace().any(|known| known == code) {
            return Ok(Self(code));
        }
        refuse(format!("{text:?} is not an ISO 639-1 language code"))
    }

    /// The code, e.g. `es`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn has_control_characters(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// A display name: trimmed, not empty, at most 200 characters, on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let name = text.trim();
        if name.is_empty() {
            return refuse("must not be empty");
        }
        if name.chars().count() > Self::MAX_CHARS {
            return refuse(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        if has_control_characters(name) {
            return refuse("must be a single line without control characters");
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Free text (a description, a summary): trimmed, at most 10,000 characters, with line
/// breaks and tabs but no other control characters (PostgreSQL refuses a NUL in text);
/// blank is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongText(String);

impl LongText {
    pub const MAX_CHARS: usize = 10_000;

    pub fn parse(text: &str) -> Result<Option<Self>, ValueError> {
        let text = text.trim();
        if text.chars().count() > Self::MAX_CHARS {
            return refuse(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return refuse("must not contain control characters other than line breaks and tabs");
        }
        Ok((!text.is_empty()).then(|| Self(text.to_owned())))
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// An e-mail address: one `@`, a non-empty local part, a dotted domain, no spaces; the domain
/// is stored in lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let text = text.trim();
        let invalid = || ValueError(format!("{text:?} is not a valid e-mail address"));
        let (local, domain) = text.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.split('.').count() >= 2
            && domain.split('.').all(|label| {
                !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '@');
        if !domain_ok || !local_ok || text.len() > 254 {
            return Err(invalid());
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A telephone number: digits with an optional leading `+`, spaces, dots, dashes and
/// parentheses; between 4 and 20 digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let text = text.trim();
        let allowed = text
            .char_indices()
            .all(|(at, c)| c.is_ascii_digit() || " .-()".contains(c) || (c == '+' && at == 0));
        let digits = text.chars().filter(char::is_ascii_digit).count();
        if !allowed || !(4..=20).contains(&digits) {
            return refuse(format!("{text:?} is not a valid telephone number"));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A web address: `http` or `https`, a host, no spaces, at most 2,048 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebUrl(String);

impl WebUrl {
    pub fn parse(text: &str) -> Result<Self, ValueError> {
        let text = text.trim();
        let rest = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"));
        let host = rest.and_then(|rest| rest.split(['/', '?', '#']).next());
        let valid = host.is_some_and(|host| !host.is_empty())
            && text.len() <= 2048
            && !text.chars().any(|c| c.is_whitespace() || c.is_control());
        if !valid {
            return refuse(format!("{text:?} is not an http(s) web address"));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A number of inhabitants: zero or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Population(i64);

impl Population {
    pub fn parse(value: i64) -> Result<Self, ValueError> {
        if value < 0 {
            return refuse("must not be negative");
        }
        Ok(Self(value))
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// The years a date or time from a client may have: ISO 8601's four digits, well inside what
/// PostgreSQL stores (from 4713 BC) and far from where chrono's arithmetic overflows.
pub const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// `time`, if its year is within [`YEARS`].
pub fn time_within_years(time: DateTime<Utc>) -> Result<DateTime<Utc>, ValueError> {
    if YEARS.contains(&time.year()) {
        Ok(time)
    } else {
        refuse("must be between the years 1 and 9999")
    }
}

/// A calendar date without time zone, written `YYYY-MM-DD` (ISO 8601).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// A calendar date without time zone, written `YYYY-MM-DD` (ISO 8601), e.g. `"2014-03-26"`.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(text) = &value else {
            return Err(InputValueError::expected_type(value));
        };
        // Four-digit years only: chrono reads years up to ±262143, which PostgreSQL cannot
        // store and date arithmetic near them overflows.
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .filter(|date| YEARS.contains(&date.year()))
            .map(Date)
            .ok_or_else(|| {
                InputValueError::custom(format!(
                    "{text:?} is not a YYYY-MM-DD date from 0001-01-01 to 9999-12-31"
                ))
            })
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_codes_must_be_iso_639_1() {
        assert_eq!(LanguageCode::parse(" ES ").map(|c| c.0), Ok("es".into()));
        assert_eq!(ISO_639_1.split_whitespace().count(), 183);
        for bad in ["", "e", "esp", "xx", "e%"] {
            assert!(LanguageCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn country_codes_must_be_assigned_alpha_2() {
        assert_eq!(CountryCode::parse(" mx ").map(|c| c.0), Ok("MX".into()));
        for bad in ["", "F", "FRA", "XX", "ZZ", "1A", "É"] {
            assert!(CountryCode::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(ISO_3166_ALPHA_2.split(' ').count(), 249);
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(Name::parse("  CUF ").map(|n| n.0), Ok("CUF".into()));
        assert!(Name::parse("   ").is_err());
        assert!(Name::parse("a\nb").is_err());
        assert!(Name::parse(&"x".repeat(201)).is_err());
        assert!(Name::parse(&"é".repeat(200)).is_ok());
    }

    #[test]
    fn emails_phones_and_urls_are_checked() {
        assert_eq!(
            Email::parse("Anne.Raimat@Example.ORG").map(|e| e.0),
            Ok("Anne.Raimat@example.org".into())
        );
        for bad in [
            "",
            "a",
            "a@b",
            "@example.org",
            "a b@example.org",
            "a@exa mple.org",
            "a@.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert!(Phone::parse("+33 (0)1 53 41 81 81").is_ok());
        assert!(Phone::parse("12").is_err());
        assert!(Phone::parse("01 23 45 x").is_err());
        assert!(WebUrl::parse("https://cites-unies-france.org/").is_ok());
        for bad in [
            "javascript:alert(1)",
            "https://",
            "ftp://x.org",
            "http://a b",
        ] {
            assert!(WebUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn population_is_not_negative() {
        assert!(Population::parse(-1).is_err());
        assert_eq!(Population::parse(0).map(Population::get), Ok(0));
    }

    #[test]
    fn long_texts_keep_lines_and_tabs_but_no_other_control_characters() {
        let text = "Compte rendu\r\n\n- point 1\tfait";
        assert_eq!(
            LongText::parse(text).map(|t| t.map(LongText::into_inner)),
            Ok(Some(text.to_owned()))
        );
        assert_eq!(LongText::parse(" \n "), Ok(None));
        for bad in ["a\0b", "\0", "bell\u{7}", "esc\u{1b}[31m", "a\u{85}b"] {
            assert!(LongText::parse(bad).is_err(), "{bad:?}");
        }
        assert!(LongText::parse(&"é".repeat(10_000)).is_ok());
        assert!(LongText::parse(&"é".repeat(10_001)).is_err());
    }

    #[test]
    fn dates_have_four_digit_years() {
        let parse = |text: &str| <Date as ScalarType>::parse(Value::String(text.into()));
        for good in ["2014-03-26", "0001-01-01", "9999-12-31", "2024-02-29"] {
            assert!(parse(good).is_ok(), "{good}");
        }
        for bad in [
            "0000-01-01",
            "-0001-12-31",
            "-262143-01-01",
            "+10000-01-01",
            "+262142-12-31",
            "2023-02-29",
            "2014-3-26x",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
