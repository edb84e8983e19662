//! The diagram as a Mermaid flowchart, which GitHub and GitLab draw from a ```` ```mermaid ````
//! block. Every label is a quoted string in which only letters, digits, spaces and a few
//! harmless punctuation marks stand as they are; everything else is written as Mermaid's entity
//! code `#NNN;`, so no name can end a string, start a tag, add a directive (`%%{`) or trip the
//! rules that act anywhere on a line ([`TRAPS`]).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Edge, Graph, Node};

/// The flowchart, left to right: a `subgraph` per box, a node per network, an edge per pair,
/// then the styles of dashed nodes and of edges that are not plain.
pub fn render(graph: &Graph) -> String {
    let mut out = String::from("flowchart LR\n");
    for (index, group) in graph.groups.iter().enumerate() {
        let _ = writeln!(
            out,
            "  subgraph g{index}[\"{}\"]",
            text(std::slice::from_ref(&group.title))
        );
        for (i, node) in graph.members(Some(index)) {
            write_node(&mut out, "    ", i, node);
        }
        out.push_str("  end\n");
    }
    for (i, node) in graph.members(None) {
        write_node(&mut out, "  ", i, node);
    }
    for edge in &graph.edges {
        let _ = writeln!(
            out,
            "  n{} {}|\"{}\"| n{}",
            edge.from,
            link(edge),
            text(&edge.lines),
            edge.to
        );
    }
    write_styles(&mut out, graph);
    out
}

fn write_node(out: &mut String, indent: &str, index: usize, node: &Node) {
    let _ = writeln!(out, "{indent}n{index}[\"{}\"]", text(&node.lines));
}

/// `---` or `-->`, dotted (`-.-`, `-.->`) while the pair is not complete.
fn link(edge: &Edge) -> &'static str {
    match (edge.dashed(), edge.directed) {
        (false, false) => "---",
        (false, true) => "-->",
        (true, false) => "-.-",
        (true, true) => "-.->",
    }
}

/// Dashed nodes for the networks no account shows, and a `linkStyle` line per edge style,
/// listing the edges (by their order) that have it.
fn write_styles(out: &mut String, graph: &Graph) {
    let unseen: Vec<String> = graph
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, node)| !node.seen)
        .map(|(i, _)| format!("n{i}"))
        .collect();
    if !unseen.is_empty() {
        out.push_str("  classDef unseen stroke-dasharray:5 5\n");
        let _ = writeln!(out, "  class {} unseen", unseen.join(","));
    }
    let mut styles: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, edge) in graph.edges.iter().enumerate() {
        if let Some(style) = edge_style(edge) {
            styles.entry(style).or_default().push(i);
        }
    }
    let mut lines: Vec<(Vec<usize>, String)> = styles
        .into_iter()
        .map(|(style, edges)| (edges, style))
        .collect();
    lines.sort();
    for (edges, style) in lines {
        let list: Vec<String> = edges.iter().map(usize::to_string).collect();
        let _ = writeln!(out, "  linkStyle {} {style}", list.join(","));
    }
}

/// The line's colour and width, and the label's colour; `None` for a plain active pair.
fn edge_style(edge: &Edge) -> Option<String> {
    let colours = super::colours(edge)?;
    let width = if edge.marks.is_empty() {
        ""
    } else {
        ",stroke-width:3px"
    };
    Some(format!(
        "stroke:{},color:{}{width}",
        colours.line, colours.label
    ))
}

/// Lines of a label, each escaped, joined by `<br>`.
fn text(lines: &[String]) -> String {
    let escaped: Vec<String> = lines.iter().map(|line| escape(line)).collect();
    escaped.join("<br>")
}

/// Words Mermaid acts on wherever they stand on a line, inside strings too: its lexer reads a
/// line holding `direction LR` (or TB, BT, RL) as a direction statement, and its entity
/// pre-pass cuts the last `;` from a line matching `style.*:\S*#.*;` or `classDef.*:\S*#.*;`.
/// Written with their first letter as a code, they are only text.
const TRAPS: [&str; 3] = ["direction", "style", "classDef"];

/// Text for inside a quoted Mermaid string, as entity codes (`#34;`) where it is not plainly
/// safe, and with the [`TRAPS`] defused.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let trap = TRAPS.iter().any(|word| rest.starts_with(word));
        if !trap && (c.is_alphanumeric() || " -_.,:/()+=@'!?~".contains(c)) {
            out.push(c);
        } else {
            let _ = write!(out, "#{};", u32::from(c));
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}
