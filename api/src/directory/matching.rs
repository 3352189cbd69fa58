//! Matching authority names as people write them: case, accents, punctuation, word order and
//! the usual abbreviations ("CU" for communauté urbaine, "CG" for conseil général, now
//! département) do not matter; institutional words ("Conseil régional", "Estado de") are
//! dropped, so "Région Pays de la Loire" matches "Conseil régional des Pays de la Loire".

use std::collections::BTreeSet;

use crate::text;

/// Abbreviations, as folded words, and what they stand for.
const ABBREVIATIONS: [(&str, &str); 4] = [
    ("cu", "communaute urbaine"),
    ("ca", "communaute agglomeration"),
    ("cc", "communaute communes"),
    ("agglo", "communaute agglomeration"),
];

/// Words that name an institution rather than a place, and little words.
const DROPPED: [&str; 29] = [
    "conseil",
    "general",
    "generale",
    "regional",
    "region",
    "departemental",
    "departement",
    "cg",
    "cr",
    "cd",
    "ville",
    "mairie",
    "commune",
    "municipio",
    "municipalidad",
    "estado",
    "gobierno",
    "ayuntamiento",
    "libre",
    "soberano",
    "de",
    "du",
    "des",
    "la",
    "le",
    "les",
    "l",
    "d",
    "del",
];

/// The words that identify an authority, without institution words or order.
pub fn canonical_words(name: &str) -> BTreeSet<String> {
    let folded = text::fold(name);
    let mut words = Vec::new();
    for word in folded.split(' ').filter(|word| !word.is_empty()) {
        match ABBREVIATIONS.iter().find(|(short, _)| *short == word) {
            Some((_, long)) => words.extend(long.split(' ')),
            None => words.push(word),
        }
    }
    words
        .into_iter()
        .filter(|word| !DROPPED.contains(word) && !["et", "y", "d", "a"].contains(word))
        .map(str::to_owned)
        .collect()
}

/// How alike two names are, from 0 (nothing shared) to 1 (the same words).
pub fn similarity(left: &str, right: &str) -> f64 {
    let (left, right) = (canonical_words(left), canonical_words(right));
    if left.is_empty() || right.is_empty() {
        return 0.0;
    }
    let shared = left.intersection(&right).count() as f64;
    shared / left.union(&right).count() as f64
}

/// One parsed row of a CSV file, with its line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    pub line: usize,
    pub cells: Vec<String>,
}

/// Parses RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and line breaks;
/// lines end with CRLF or LF. An unterminated quote is an error naming its line.
pub fn parse_csv(input: &str) -> Result<Vec<CsvRow>, String> {
    let mut rows = Vec::new();
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut row_line = 1;
    let mut chars = input.trim_start_matches('\u{feff}').chars().peekable();
    while let Some(character) = chars.next() {
        match (quoted, character) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, other) => {
                if other == '\n' {
                    line += 1;
                }
                cell.push(other);
            }
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => cells.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                cells.push(std::mem::take(&mut cell));
                if cells.iter().any(|cell| !cell.trim().is_empty()) {
                    rows.push(CsvRow {
                        line: row_line,
                        cells: std::mem::take(&mut cells),
                    });
                }
                cells.clear();
                line += 1;
                row_line = line;
            }
            (false, other) => cell.push(other),
        }
    }
    if quoted {
        return Err(format!("line {row_line}: a quoted field is not closed"));
    }
    cells.push(cell);
    if cells.iter().any(|cell| !cell.trim().is_empty()) {
        rows.push(CsvRow {
            line: row_line,
            cells,
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_across_abbreviations_accents_and_word_order() {
        let same = [
            ("CU de Bordeaux", "Communauté urbaine de Bordeaux"),
            ("CG Haute Saone", "Conseil départemental de la Haute-Saône"),
            (
                "Département de la Haute-Saône",
                "Conseil général de la Haute-Saône",
            ),
            (
                "Région Pays de la Loire",
                "Conseil régional des Pays de la Loire",
            ),
            ("Loire Pays de la", "Pays de la Loire"),
            ("Estado de Jalisco", "JALISCO"),
            ("Municipio de Oaxaca de Juárez", "oaxaca de juarez"),
        ];
        for (left, right) in same {
            assert_eq!(similarity(left, right), 1.0, "{left} ~ {right}");
        }
        assert!(similarity("Ville de Bordeaux", "CU de Bordeaux") < 0.5);
        assert!(similarity("Champagne-Ardenne", "Pays de la Loire") == 0.0);
        let partial = similarity("Oaxaca", "Oaxaca de Juárez");
        assert!((0.5..1.0).contains(&partial), "{partial}");
    }

    #[test]
    fn csv_follows_rfc_4180() {
        let rows = parse_csv("a,b\r\n\"c, d\",\"say \"\"hi\"\"\"\n\n\"multi\nline\",e").unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1].cells, ["c, d", "say \"hi\""]);
        assert_eq!(
            rows[2],
            CsvRow {
                line: 4,
                cells: vec!["multi\nline".into(), "e".into()]
            }
        );
        assert_eq!(
            parse_csv("a,\"b\nc").unwrap_err(),
            "line 1: a quoted field is not closed"
        );
    }
}
