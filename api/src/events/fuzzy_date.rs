//! Dates as the minutes give them: a day, "10 and 11 April", "June–July 2015", "winter 2014,
//! to be confirmed". A `FuzzyDate` is a span of days with the precision it was given at and
//! whether it is tentative; `parse` refuses spans that do not fit their precision.

use async_graphql::{Enum, InputObject, SimpleObject};
use chrono::{Datelike, Months, NaiveDate};

use crate::values::{Date, ValueError};

/// How precisely a date is known.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DatePrecision {
    /// To the day (a span of whole days, e.g. 10–11 April 2014).
    Day,
    /// To the month (one month or several whole months, e.g. June–July 2015).
    Month,
    /// To the season: spring starts in March, summer June, autumn September, winter December
    /// (so winter 2014 runs from December 2014 to February 2015).
    Season,
    /// To the year.
    Year,
}

impl DatePrecision {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "DAY",
            Self::Month => "MONTH",
            Self::Season => "SEASON",
            Self::Year => "YEAR",
        }
    }

    /// The precision stored as `text`; unknown text reads as `Day`.
    pub fn from_stored(text: &str) -> Self {
        match text {
            "MONTH" => Self::Month,
            "SEASON" => Self::Season,
            "YEAR" => Self::Year,
            _ => Self::Day,
        }
    }
}

/// A date as precisely as it is known.
#[derive(SimpleObject, Clone, Copy, Debug, PartialEq, Eq)]
pub struct FuzzyDate {
    /// The first day of the span.
    pub start: Date,
    /// The last day of the span (the same as `start` for a single day).
    pub end: Date,
    /// How precisely the date is known.
    pub precision: DatePrecision,
    /// Whether the date is still to be confirmed.
    pub tentative: bool,
}

/// A date as precisely as it is known. `start` is the first day of the span (the first of
/// the month for MONTH, of the season's first month for SEASON, 1 January for YEAR); `end`,
/// when given, its last day (the last day of a month, season or year at those precisions);
/// when omitted, the span is one day, month, season or year.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct FuzzyDateInput {
    /// The first day of the span.
    pub start: Date,
    /// The last day of the span.
    pub end: Option<Date>,
    /// How precisely the date is known.
    pub precision: DatePrecision,
    /// Whether it is still to be confirmed; false by default.
    #[graphql(default)]
    pub tentative: bool,
}

fn last_day_of_month(date: NaiveDate) -> Option<NaiveDate> {
    date.with_day(1)?
        .checked_add_months(Months::new(1))?
        .pred_opt()
}

fn refuse<T>(message: &str) -> Result<T, ValueError> {
    Err(ValueError(message.to_owned()))
}

impl FuzzyDateInput {
    /// The date, checked: the span must start and end where its precision says.
    pub fn parse(self) -> Result<FuzzyDate, ValueError> {
        let start = self.start.0;
        let default_end = match self.precision {
            DatePrecision::Day => Some(start),
            DatePrecision::Month => last_day_of_month(start),
            DatePrecision::Season => start
                .checked_add_months(Months::new(3))
                .and_then(|date| date.pred_opt()),
            DatePrecision::Year => NaiveDate::from_ymd_opt(start.year(), 12, 31),
        };
        let end = match self.end {
            Some(end) => end.0,
            None => default_end.ok_or_else(|| ValueError("the date is out of range".into()))?,
        };
        if end < start {
            return refuse("the end must not be before the start");
        }
        match self.precision {
            DatePrecision::Day => {}
            DatePrecision::Month => {
                if start.day() != 1 || Some(end) != last_day_of_month(end) {
                    return refuse(
                        "a MONTH date runs from the first day of a month to the last day of a month",
                    );
                }
            }
            DatePrecision::Season => {
                let season_start = start.day() == 1 && [3, 6, 9, 12].contains(&start.month());
                let whole_seasons = end
                    .succ_opt()
                    .is_some_and(|next| next.day() == 1 && [3, 6, 9, 12].contains(&next.month()));
                if !season_start || !whole_seasons {
                    return refuse(
                        "a SEASON starts on 1 March, June, September or December and lasts whole seasons",
                    );
                }
            }
            DatePrecision::Year => {
                if start.ordinal() != 1 || end.month() != 12 || end.day() != 31 {
                    return refuse("a YEAR date runs from 1 January to 31 December");
                }
            }
        }
        if (end - start).num_days() > 366 * 5 {
            return refuse("a date spans at most five years");
        }
        Ok(FuzzyDate {
            start: Date(start),
            end: Date(end),
            precision: self.precision,
            tentative: self.tentative,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(
        start: (i32, u32, u32),
        end: Option<(i32, u32, u32)>,
        precision: DatePrecision,
    ) -> FuzzyDateInput {
        let date = |(y, m, d): (i32, u32, u32)| Date(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        FuzzyDateInput {
            start: date(start),
            end: end.map(date),
            precision,
            tentative: false,
        }
    }

    #[test]
    fn dates_of_the_minutes_are_accepted() {
        use DatePrecision::{Day, Month, Season, Year};
        let winter = input((2014, 12, 1), None, Season).parse().unwrap();
        assert_eq!(winter.end.0, NaiveDate::from_ymd_opt(2015, 2, 28).unwrap());
        let june_july = input((2015, 6, 1), Some((2015, 7, 31)), Month)
            .parse()
            .unwrap();
        assert_eq!(june_july.start.0.month(), 6);
        assert!(
            input((2014, 4, 10), Some((2014, 4, 11)), Day)
                .parse()
                .is_ok()
        );
        assert_eq!(
            input((2014, 5, 1), None, Month)
                .parse()
                .unwrap()
                .end
                .0
                .day(),
            31
        );
        assert!(input((2015, 1, 1), None, Year).parse().is_ok());
    }

    #[test]
    fn dates_that_do_not_fit_their_precision_are_refused() {
        use DatePrecision::{Day, Month, Season, Year};
        for bad in [
            input((2014, 4, 11), Some((2014, 4, 10)), Day),
            input((2014, 4, 2), None, Month),
            input((2014, 4, 1), Some((2014, 5, 15)), Month),
            input((2014, 11, 1), None, Season),
            input((2014, 12, 1), Some((2015, 1, 31)), Season),
            input((2014, 2, 1), None, Year),
            input((2014, 1, 1), Some((2030, 1, 1)), Day),
        ] {
            assert!(bad.parse().is_err(), "{bad:?}");
        }
    }
}
