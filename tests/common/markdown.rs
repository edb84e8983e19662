//! Markdown as a renderer such as GitHub's reads it, for tests of `--output markdown`.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

#[derive(Debug, Default)]
pub struct ParsedMarkdown {
    /// Each table's rows (header first), each row's cells as plain text.
    pub tables: Vec<Vec<Vec<String>>>,
    pub html: Vec<String>,
    pub links: Vec<String>,
    /// Each code block's language and text.
    pub code_blocks: Vec<(String, String)>,
}

pub fn parse_markdown(markdown: &str) -> ParsedMarkdown {
    let mut parsed = ParsedMarkdown::default();
    let mut cell: Option<String> = None;
    let mut code: Option<String> = None;
    let mut language = String::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Table(_)) => parsed.tables.push(Vec::new()),
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                if let Some(table) = parsed.tables.last_mut() {
                    table.push(Vec::new());
                }
            }
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => {
                let text = cell.take().unwrap_or_default();
                if let Some(row) = parsed.tables.last_mut().and_then(|t| t.last_mut()) {
                    row.push(text);
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                language = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some(String::new());
            }
            Event::End(TagEnd::CodeBlock) => {
                let text = code.take().unwrap_or_default();
                parsed
                    .code_blocks
                    .push((std::mem::take(&mut language), text));
            }
            Event::Start(Tag::Link { dest_url, .. }) => parsed.links.push(dest_url.to_string()),
            Event::Html(html) | Event::InlineHtml(html) => parsed.html.push(html.to_string()),
            Event::Text(text) | Event::Code(text) => {
                if let Some(cell) = cell.as_mut() {
                    cell.push_str(&text);
                } else if let Some(code) = code.as_mut() {
                    code.push_str(&text);
                }
            }
            _ => {}
        }
    }
    parsed
}
