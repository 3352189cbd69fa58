//! Sharing an action's cost among authorities, exact to the minor unit. Every method reduces
//! to weights; the cost is split by the largest-remainder method: each authority gets the
//! floor of its exact share, and the minor units left over go, one each, to the largest
//! remainders, ties going to the earlier authority in the list (callers list authorities by
//! id, so the result is deterministic). The shares always add up exactly to the cost.

use crate::money::Money;

/// Why a cost cannot be shared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SharingError {
    /// Nobody to share among.
    #[error("there is no authority to share the cost among")]
    NoParticipants,
    /// The weights add up to nothing (every population zero, every percentage zero).
    #[error("the weights add up to zero")]
    ZeroWeights,
    /// POPULATION: the authority at this position has no population.
    #[error("the authority at position {0} has no known population")]
    MissingPopulation(usize),
    /// PERCENTAGE: the percentages add up to this many hundredths of a percent, not 10,000.
    #[error("the percentages add up to {0} hundredths of a percent, not exactly 100")]
    PercentagesNot100(u64),
}

/// Splits `cost` in proportion to `weights`; the parts add up exactly to `cost`.
pub fn allocate(cost: Money, weights: &[u64]) -> Result<Vec<Money>, SharingError> {
    if weights.is_empty() {
        return Err(SharingError::NoParticipants);
    }
    let total: u128 = weights.iter().map(|weight| u128::from(*weight)).sum();
    if total == 0 {
        return Err(SharingError::ZeroWeights);
    }
    let amount = u128::try_from(cost.minor()).unwrap_or(0);
    let mut parts: Vec<u128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
    for (position, weight) in weights.iter().enumerate() {
        let exact = amount * u128::from(*weight);
        parts.push(exact / total);
        remainders.push((exact % total, position));
    }
    let left = amount - parts.iter().sum::<u128>();
    // Largest remainder first; on a tie, the earlier position.
    remainders.sort_by(|left, right| right.0.cmp(&left.0).then(left.1.cmp(&right.1)));
    for (_, position) in remainders
        .into_iter()
        .take(usize::try_from(left).unwrap_or(0))
    {
        parts[position] += 1;
    }
    parts
        .into_iter()
        .map(|part| {
            Money::from_minor(i64::try_from(part).unwrap_or(i64::MAX), cost.currency())
                .map_err(|_| SharingError::ZeroWeights)
        })
        .collect()
}

/// EQUAL: the same share for each of `participants` authorities.
pub fn equal(cost: Money, participants: usize) -> Result<Vec<Money>, SharingError> {
    allocate(cost, &vec![1; participants])
}

/// POPULATION: pro rata of each authority's population; one without is an error.
pub fn by_population(cost: Money, populations: &[Option<i64>]) -> Result<Vec<Money>, SharingError> {
    let weights = populations
        .iter()
        .enumerate()
        .map(|(position, population)| {
            population
                .and_then(|population| u64::try_from(population).ok())
                .ok_or(SharingError::MissingPopulation(position))
        })
        .collect::<Result<Vec<_>, _>>()?;
    allocate(cost, &weights)
}

/// PERCENTAGE: percentages given in hundredths (3333 is 33.33 %), which must add up to
/// exactly 100 %.
pub fn by_percentage(cost: Money, hundredths: &[u32]) -> Result<Vec<Money>, SharingError> {
    let total: u64 = hundredths.iter().map(|value| u64::from(*value)).sum();
    if total != 10_000 {
        return Err(SharingError::PercentagesNot100(total));
    }
    allocate(
        cost,
        &hundredths
            .iter()
            .map(|value| u64::from(*value))
            .collect::<Vec<_>>(),
    )
}

/// FIXED: the amounts given, and the cost minus their sum (a gap when positive, an excess
/// when negative). Nothing is adjusted.
pub fn fixed(cost: Money, amounts: &[Money]) -> Option<(Vec<Money>, i64)> {
    let mut sum = Money::zero(cost.currency());
    for amount in amounts {
        sum = sum.checked_add(*amount)?;
    }
    Some((amounts.to_vec(), cost.difference(sum)?))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::money::Currency;

    fn eur(text: &str) -> Money {
        Money::parse(text, Currency::EUR).unwrap()
    }

    fn texts(parts: &[Money]) -> Vec<String> {
        parts.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_minutes_example_splits_to_the_cent() {
        assert_eq!(
            texts(&equal(eur("2500.00"), 3).unwrap()),
            ["833.34", "833.33", "833.33"]
        );
        assert_eq!(
            texts(&equal(eur("0.02"), 3).unwrap()),
            ["0.01", "0.01", "0.00"]
        );
    }

    #[test]
    fn population_and_percentage_shares_add_up_exactly() {
        let shares = by_population(
            eur("2500.00"),
            &[Some(3_660_000), Some(1_340_000), Some(239_000)],
        )
        .unwrap();
        assert_eq!(
            shares.iter().map(|share| share.minor()).sum::<i64>(),
            250_000
        );
        assert_eq!(
            by_population(eur("10"), &[Some(1), None]),
            Err(SharingError::MissingPopulation(1))
        );
        assert_eq!(
            texts(&by_percentage(eur("100"), &[3334, 3333, 3333]).unwrap()),
            ["33.34", "33.33", "33.33"]
        );
        assert_eq!(
            by_percentage(eur("100"), &[5000, 4000]),
            Err(SharingError::PercentagesNot100(9000))
        );
        let (_, gap) = fixed(eur("2500"), &[eur("1000"), eur("1000")]).unwrap();
        assert_eq!(gap, 50_000);
        let (_, excess) = fixed(eur("2500"), &[eur("2000"), eur("1000")]).unwrap();
        assert_eq!(excess, -50_000);
        assert_eq!(allocate(eur("1"), &[]), Err(SharingError::NoParticipants));
        assert_eq!(allocate(eur("1"), &[0, 0]), Err(SharingError::ZeroWeights));
    }

    proptest! {
        #[test]
        fn shares_always_sum_to_the_cost_and_are_never_negative(
            cost in 0_i64..1_000_000_000_000,
            weights in proptest::collection::vec(0_u64..10_000_000, 1..40),
        ) {
            prop_assume!(weights.iter().any(|weight| *weight > 0));
            let cost = Money::from_minor(cost, Currency::EUR).unwrap();
            let shares = allocate(cost, &weights).unwrap();
            prop_assert_eq!(shares.len(), weights.len());
            prop_assert_eq!(shares.iter().map(|share| share.minor()).sum::<i64>(), cost.minor());
            prop_assert!(shares.iter().all(|share| share.minor() >= 0));
            for (share, weight) in shares.iter().zip(&weights) {
                if *weight == 0 {
                    prop_assert_eq!(share.minor(), 0);
                }
            }
        }

        #[test]
        fn equal_weights_never_differ_by_more_than_one_minor_unit(
            cost in 0_i64..1_000_000_000_000,
            participants in 1_usize..60,
        ) {
            let shares = equal(Money::from_minor(cost, Currency::EUR).unwrap(), participants).unwrap();
            let minimum = shares.iter().map(|share| share.minor()).min().unwrap();
            let maximum = shares.iter().map(|share| share.minor()).max().unwrap();
            prop_assert!(maximum - minimum <= 1);
            prop_assert_eq!(shares.iter().map(|share| share.minor()).sum::<i64>(), cost);
        }

        #[test]
        fn amounts_print_and_parse_back(minor in 0_i64..1_000_000_000_000_000) {
            let money = Money::from_minor(minor, Currency::EUR).unwrap();
            prop_assert_eq!(Money::parse(&money.to_string(), Currency::EUR).unwrap(), money);
        }
    }
}
