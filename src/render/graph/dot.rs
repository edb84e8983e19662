//! The diagram in Graphviz's DOT language, for `dot -Tsvg` and the tools that read DOT. Every
//! label is a quoted string; a name's `"` and `\` are escaped, so that it can neither end the
//! string nor start one of DOT's escape sequences (`\N`, `\l`, ...).

use std::fmt::Write as _;

use super::{Edge, Graph, Node};

/// An undirected graph, left to right: a `cluster_` subgraph per box (which Graphviz draws as a
/// box), a node per network, an edge per pair.
pub fn render(graph: &Graph) -> String {
    let mut out = String::from("graph peerings {\n");
    out.push_str("  rankdir=LR;\n");
    out.push_str("  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\"];\n");
    for (index, group) in graph.groups.iter().enumerate() {
        let _ = writeln!(out, "  subgraph cluster_{index} {{");
        let _ = writeln!(
            out,
            "    label={};",
            quoted(std::slice::from_ref(&group.title))
        );
        for (i, node) in graph.members(Some(index)) {
            write_node(&mut out, "    ", i, node);
        }
        out.push_str("  }\n");
    }
    for (i, node) in graph.members(None) {
        write_node(&mut out, "  ", i, node);
    }
    for edge in &graph.edges {
        let _ = writeln!(
            out,
            "  n{} -- n{} [{}];",
            edge.from,
            edge.to,
            edge_attributes(edge).join(", ")
        );
    }
    out.push_str("}\n");
    out
}

fn write_node(out: &mut String, indent: &str, index: usize, node: &Node) {
    let style = if node.seen {
        String::new()
    } else {
        ", style=\"rounded,dashed\"".to_owned()
    };
    let _ = writeln!(
        out,
        "{indent}n{index} [label={}{style}];",
        quoted(&node.lines)
    );
}

fn edge_attributes(edge: &Edge) -> Vec<String> {
    let mut attributes = vec![format!("label={}", quoted(&edge.lines))];
    if edge.dashed() {
        attributes.push("style=dashed".to_owned());
    }
    if edge.directed {
        attributes.push("dir=forward".to_owned());
    }
    if let Some(colours) = super::colours(edge) {
        attributes.push(format!("color=\"{}\"", colours.line));
        attributes.push(format!("fontcolor=\"{}\"", colours.label));
    }
    if !edge.marks.is_empty() {
        attributes.push("penwidth=2".to_owned());
    }
    attributes
}

/// Lines of a label as one quoted DOT string, each escaped, joined by `\n`.
fn quoted(lines: &[String]) -> String {
    let escaped: Vec<String> = lines.iter().map(|line| escape(line)).collect();
    format!("\"{}\"", escaped.join("\\n"))
}

/// Text for inside a quoted DOT string.
pub fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}
