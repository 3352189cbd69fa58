//! Text folding for search and ordering: the one place that decides how "Haute-Saône" is
//! compared. Folded text is lowercase ASCII letters and digits separated by single spaces, so
//! it compares the same way on SQLite and PostgreSQL and needs no escaping inside `LIKE`.

/// Folds `text` to lowercase ASCII words: accents dropped, ligatures spelled out, every other
/// character a word separator. `"Conseil départemental de la Haute-Saône"` becomes
/// `"conseil departemental de la haute saone"`.
pub fn fold(text: &str) -> String {
    let transliterated = deunicode::deunicode(text);
    let mut folded = String::with_capacity(transliterated.len());
    let mut pending_space = false;
    for character in transliterated.chars() {
        if character.is_ascii_alphanumeric() {
            if pending_space && !folded.is_empty() {
                folded.push(' ');
            }
            pending_space = false;
            folded.push(character.to_ascii_lowercase());
        } else {
            pending_space = true;
        }
    }
    folded
}

/// Folds each part and joins the non-empty results with a space: the `search_text` of a row.
pub fn fold_all<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts
        .into_iter()
        .map(fold)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The most words a search may hold.
pub const MAX_SEARCH_WORDS: usize = 8;
/// The longest search text accepted, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;

/// The folded words of a search; a row matches when its search text holds every one.
/// Fails on a search longer than [`MAX_SEARCH_CHARS`] or with more than
/// [`MAX_SEARCH_WORDS`] words.
pub fn search_words(search: &str) -> Result<Vec<String>, String> {
    if search.chars().count() > MAX_SEARCH_CHARS {
        return Err(format!(
            "`search` must be at most {MAX_SEARCH_CHARS} characters"
        ));
    }
    let words: Vec<String> = fold(search)
        .split(' ')
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect();
    if words.len() > MAX_SEARCH_WORDS {
        return Err(format!(
            "`search` must have at most {MAX_SEARCH_WORDS} words"
        ));
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_case_accents_and_punctuation() {
        assert_eq!(
            fold("Conseil départemental de la Haute-Saône"),
            "conseil departemental de la haute saone"
        );
        assert_eq!(fold("  Œuvre   d'ÉTAT "), "oeuvre d etat");
        assert_eq!(fold("Ciudad de México"), "ciudad de mexico");
        assert_eq!(fold("%_\\"), "");
    }

    #[test]
    fn fold_all_skips_empty_parts() {
        assert_eq!(
            fold_all(["Cités Unies France", "", "CUF"]),
            "cites unies france cuf"
        );
    }
}
