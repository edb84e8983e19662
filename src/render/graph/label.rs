//! Label text: one line each, short, whatever the name it came from.

/// No line of a label is longer than this, in characters: a diagram of a hundred peerings stays
/// readable.
pub const MAX_LINE_CHARS: usize = 40;

/// One line of a label: control characters and line breaks as spaces, without the spaces around
/// it (which Mermaid drops), UUIDs shortened to their first eight digits, and at most
/// [`MAX_LINE_CHARS`] characters, with `…` where it was cut.
pub fn label_line(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| {
            if c.is_control() || c.is_whitespace() {
                ' '
            } else {
                c
            }
        })
        .collect();
    let short = shorten_uuids(flat.trim());
    if short.chars().count() <= MAX_LINE_CHARS {
        return short;
    }
    let mut cut: String = short.chars().take(MAX_LINE_CHARS - 1).collect();
    cut.push('…');
    cut
}

/// `03126dc1-a69f-4bc2-8b24-e31c22d64712` as `03126dc1…`, wherever it stands in `text`.
fn shorten_uuids(text: &str) -> String {
    const UUID_CHARS: usize = 36;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let candidate = rest.get(..UUID_CHARS).filter(|s| is_hyphenated_uuid(s));
        match candidate {
            Some(uuid) => {
                out.push_str(&uuid[..8]);
                out.push('…');
                rest = &rest[UUID_CHARS..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

fn is_hyphenated_uuid(text: &str) -> bool {
    text.char_indices().all(|(i, c)| match i {
        8 | 13 | 18 | 23 => c == '-',
        _ => c.is_ascii_hexdigit(),
    })
}
