//! A small XML writer into a string: elements, attributes and text, every value escaped, and
//! characters XML 1.0 cannot carry (most control characters) dropped. Enough for the IATI
//! export, without a dependency.

use std::fmt::Write as _;

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, and the characters XML 1.0 forbids
/// (control characters other than tab, line feed and carriage return; U+FFFE, U+FFFF)
/// dropped: usable in text and in attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(character),
            '\u{FFFE}' | '\u{FFFF}' => {}
            character if character.is_control() && u32::from(character) < 0x20 => {}
            character => out.push(character),
        }
    }
    out
}

/// An XML document being written, with one level of indentation per open element.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    /// A writer that starts at `depth` levels of indentation.
    pub fn at_depth(depth: usize) -> Self {
        Self {
            out: String::new(),
            depth,
        }
    }

    fn start_tag(&mut self, name: &str, attributes: &[(&str, &str)]) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            let _ = write!(self.out, " {key}=\"{}\"", escape(value));
        }
    }

    /// Opens `<name attributes…>`; close it with [`Writer::close`].
    pub fn open(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.start_tag(name, attributes);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    /// Closes the element `name` opened last.
    pub fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        let _ = writeln!(self.out, "</{name}>");
    }

    /// Writes `<name attributes…/>`.
    pub fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.start_tag(name, attributes);
        self.out.push_str("/>\n");
    }

    /// Writes `<name attributes…>text</name>`.
    pub fn text(&mut self, name: &str, attributes: &[(&str, &str)], text: &str) {
        self.start_tag(name, attributes);
        let _ = writeln!(self.out, ">{}</{name}>", escape(text));
    }

    /// The document written so far.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_values_is_escaped_and_forbidden_characters_dropped() {
        assert_eq!(
            escape("Tom & \"Jerry\" <b>'s</b>"),
            "Tom &amp; &quot;Jerry&quot; &lt;b&gt;&apos;s&lt;/b&gt;"
        );
        assert_eq!(escape("a\u{0}b\u{1b}c\td\ne"), "abc\td\ne");
        assert_eq!(escape("Haute-Saône"), "Haute-Saône");
    }

    #[test]
    fn elements_nest_with_escaped_attributes() {
        let mut writer = Writer::default();
        writer.open("a", &[("x", "1 < 2")]);
        writer.text("b", &[], "x & y");
        writer.empty("c", &[("y", "\"q\"")]);
        writer.close("a");
        assert_eq!(
            writer.finish(),
            "<a x=\"1 &lt; 2\">\n  <b>x &amp; y</b>\n  <c y=\"&quot;q&quot;\"/>\n</a>\n"
        );
    }
}
