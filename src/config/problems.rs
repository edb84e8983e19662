//! What is wrong with a desired-state file, and how to show it the way cargo and rustc do: the
//! message, the file and line, the offending source line with a caret, and what to do about it.

use std::fmt;
use std::io::Write;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::Buffer};

/// One thing wrong with the file, anchored at the bytes it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    message: String,
    span: Range<usize>,
    label: String,
    secondary: Vec<(Range<usize>, String)>,
    help: Option<String>,
    /// Bytes of the file that hold (or may hold) a secret, and that snippets must not show.
    redacted: Option<Range<usize>>,
}

impl Problem {
    /// `label` is the short text under the caret; `message` is the headline.
    pub(super) fn new(
        message: impl Into<String>,
        span: Range<usize>,
        label: impl Into<String>,
    ) -> Self {
        Self {
            message: message.into(),
            span,
            label: label.into(),
            secondary: Vec::new(),
            help: None,
            redacted: None,
        }
    }

    /// Another place in the file that explains this one, e.g. where a duplicate was first defined.
    pub(super) fn also(mut self, span: Range<usize>, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }

    pub(super) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Hides the bytes of `span` (a value that is or may be a secret, such as `token = "..."`)
    /// wherever the file is shown: snippets show `"****"` instead. Quotes around a string are
    /// kept, so that the line still reads as TOML.
    pub(super) fn redact(mut self, span: Range<usize>) -> Self {
        self.redacted = Some(span);
        self
    }
}

/// Every problem of one file, in file order, with what is needed to show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems {
    origin: String,
    source: String,
    problems: Vec<Problem>,
}

impl Problems {
    /// Sorts the problems into file order. Sorting is stable, so problems at the same place keep
    /// the order in which they were found.
    pub(super) fn new(origin: &str, source: &str, mut problems: Vec<Problem>) -> Self {
        let mut shown = source.to_owned();
        for span in problems.iter().filter_map(|p| p.redacted.as_ref()) {
            shown = redact(&shown, span);
        }
        let source = shown.as_str();
        for problem in &mut problems {
            problem.span = clamp_span(source, &problem.span);
            for (span, _) in &mut problem.secondary {
                *span = clamp_span(source, span);
            }
        }
        problems.sort_by_key(|p| p.span.start);
        Self {
            origin: origin.to_owned(),
            source: source.to_owned(),
            problems,
        }
    }

    /// The 1-based line a problem is on.
    fn line_of(&self, problem: &Problem) -> usize {
        line_of(&self.source, problem.span.start)
    }

    /// All problems, then a line with their count, as cargo and rustc show errors. `color` adds
    /// ANSI colours (the caller decides, from the terminal and `--color`/`NO_COLOR`).
    pub fn render(&self, color: bool) -> String {
        let mut out = if color {
            Buffer::ansi()
        } else {
            Buffer::no_color()
        };
        let file = SimpleFile::new(self.origin.as_str(), self.source.as_str());
        let config = term::Config::default();
        for problem in &self.problems {
            if term::emit(&mut out, &config, &file, &diagnostic(problem)).is_err() {
                // Cannot happen with clamped spans, but a message without its snippet beats
                // losing it.
                let line = self.line_of(problem);
                let plain = format!("error: {} ({}:{line})\n\n", problem.message, self.origin);
                // Writing to memory does not fail.
                let _ = out.write_all(plain.as_bytes());
            }
        }
        let count = self.problems.len();
        let summary = Diagnostic::<()>::error().with_message(format!(
            "{} has {count} problem{}",
            self.origin,
            if count == 1 { "" } else { "s" }
        ));
        if term::emit(&mut out, &config, &file, &summary).is_err() {
            let _ = out.write_all(b"error: the file has problems\n");
        }
        // codespan ends every diagnostic with an empty line; the last one need not.
        let mut text = String::from_utf8_lossy(out.as_slice())
            .trim_end()
            .to_owned();
        text.push('\n');
        text
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

fn diagnostic(problem: &Problem) -> Diagnostic<()> {
    let primary = Label::primary((), problem.span.clone()).with_message(&problem.label);
    let secondary = problem
        .secondary
        .iter()
        .map(|(span, label)| Label::secondary((), span.clone()).with_message(label));
    Diagnostic::error()
        .with_message(&problem.message)
        .with_labels(std::iter::once(primary).chain(secondary).collect())
        .with_notes(problem.help.iter().map(|h| format!("help: {h}")).collect())
}

/// Spans come from the TOML parser and from this module's own arithmetic; make sure they lie in
/// the text and on character boundaries, so that rendering never fails on them.
fn clamp_span(source: &str, span: &Range<usize>) -> Range<usize> {
    let mut start = span.start.min(source.len());
    let mut end = span.end.clamp(start, source.len());
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    while !source.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

/// `source` with the bytes of `span` replaced by `*`, except quotes at either end and line ends.
/// Each byte becomes one `*`, so that every other span still points at the same text.
fn redact(source: &str, span: &Range<usize>) -> String {
    let span = clamp_span(source, span);
    let value = &source.as_bytes()[span.clone()];
    let quoted = |b: &u8| *b == b'"' || *b == b'\'';
    let keep_first = value.len() >= 2 && value.first().is_some_and(quoted);
    let keep_last = value.len() >= 2 && value.last().is_some_and(quoted);
    let masked: String = (0..value.len())
        .map(|i| {
            let edge = (i == 0 && keep_first) || (i + 1 == value.len() && keep_last);
            // Line ends stay, so that lines keep their numbers.
            if edge || value[i] == b'\n' || value[i] == b'\r' {
                value[i] as char
            } else {
                '*'
            }
        })
        .collect();
    format!("{}{masked}{}", &source[..span.start], &source[span.end..])
}

/// The 1-based line that byte `offset` is on.
pub(super) fn line_of(source: &str, offset: usize) -> usize {
    let offset = offset.min(source.len());
    source.as_bytes()[..offset]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}
