//! Readers of the two languages `peerings graph` writes, for the tests: DOT through a real DOT
//! parser (graphviz-rust's), and Mermaid through a parser of the part of Mermaid's flowchart
//! grammar the diagrams use, written from Mermaid's `flow.jison` and strict where Mermaid is
//! lenient, so that a test fails on anything Mermaid might read otherwise. Both give a
//! [`Diagram`], so a test can check that the two renderings say the same.
//!
//! The unit tests of `src/render/graph` include this file too (`#[path]`), for their property
//! tests; it depends on nothing of the crate.

#![allow(dead_code)] // Each test crate uses a different part of it.

use std::collections::BTreeMap;

/// What a diagram draws, as its text says it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagram {
    /// Titles of the boxes, in order, with the box each one is in.
    pub boxes: Vec<(String, Option<usize>)>,
    pub nodes: Vec<DiagramNode>,
    pub edges: Vec<DiagramEdge>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagramNode {
    pub id: String,
    pub lines: Vec<String>,
    /// The index of its box in [`Diagram::boxes`].
    pub in_box: Option<usize>,
    pub dashed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagramEdge {
    pub from: String,
    pub to: String,
    pub directed: bool,
    pub dashed: bool,
    pub lines: Vec<String>,
    /// The line's and the label's colours, when not the default.
    pub colours: Option<(String, String)>,
    pub thick: bool,
}

impl Diagram {
    pub fn node(&self, id: &str) -> Option<&DiagramNode> {
        self.nodes.iter().find(|node| node.id == id)
    }

    /// Every line of every label and title.
    pub fn all_lines(&self) -> Vec<&str> {
        let boxes = self.boxes.iter().map(|(title, _)| title.as_str());
        let nodes = self
            .nodes
            .iter()
            .flat_map(|n| n.lines.iter().map(String::as_str));
        let edges = self
            .edges
            .iter()
            .flat_map(|e| e.lines.iter().map(String::as_str));
        boxes.chain(nodes).chain(edges).collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Mermaid
// ---------------------------------------------------------------------------------------------

/// Words the flowchart lexer reads as keywords wherever a token starts (`flow.jison`), so never
/// a node's or a box's id.
const KEYWORDS: [&str; 17] = [
    "style",
    "default",
    "linkStyle",
    "interpolate",
    "classDef",
    "class",
    "href",
    "click",
    "call",
    "graph",
    "flowchart",
    "flowchart-elk",
    "subgraph",
    "end",
    "direction",
    "accTitle",
    "accDescr",
];

/// The links the diagrams use: `(text, directed, dashed)`.
const LINKS: [(&str, bool, bool); 4] = [
    ("-.->", true, true),
    ("-.-", false, true),
    ("-->", true, false),
    ("---", false, false),
];

/// Parses a flowchart: `flowchart LR`, then one statement a line: `subgraph ID["text"]`, `end`,
/// `ID["text"]`, `ID LINK|"text"| ID`, `classDef NAME STYLES`, `class ID,... NAME`,
/// `linkStyle N,... STYLES`. Every node is declared before an edge names it.
pub fn parse_mermaid(text: &str) -> Result<Diagram, String> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, "flowchart LR")) => {}
        other => return Err(format!("the first line is not `flowchart LR`: {other:?}")),
    }
    if text.contains("%%") {
        return Err("`%%` starts a comment or a directive".to_owned());
    }
    let mut diagram = Diagram::default();
    let mut open: Vec<usize> = Vec::new();
    let mut classes: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut link_styles: BTreeMap<usize, Vec<(String, String)>> = BTreeMap::new();
    for (number, line) in lines {
        let at = |why: String| format!("line {}: {why}: {line:?}", number + 1);
        lexer_traps(line).map_err(at)?;
        let statement = line.trim();
        if statement.is_empty() {
            continue;
        }
        let outside: Vec<&str> = statement.split('"').step_by(2).collect();
        if statement.matches('"').count() % 2 == 1 {
            return Err(at("a string does not end".to_owned()));
        }
        if outside.iter().any(|part| part.contains(';')) {
            return Err(at("`;` ends a statement".to_owned()));
        }
        if let Some(rest) = statement.strip_prefix("subgraph ") {
            let (id, title) = vertex(rest).map_err(at)?;
            check_id(&id).map_err(at)?;
            diagram
                .boxes
                .push((single_line(title).map_err(at)?, open.last().copied()));
            open.push(diagram.boxes.len() - 1);
        } else if statement == "end" {
            open.pop()
                .ok_or_else(|| at("`end` without a subgraph".to_owned()))?;
        } else if let Some(rest) = statement.strip_prefix("classDef ") {
            let (name, styles) = rest
                .split_once(' ')
                .ok_or_else(|| at("no styles".to_owned()))?;
            classes.insert(name.to_owned(), parse_styles(styles).map_err(at)?);
        } else if let Some(rest) = statement.strip_prefix("class ") {
            let (ids, name) = rest
                .split_once(' ')
                .ok_or_else(|| at("no class".to_owned()))?;
            let styles = classes
                .get(name)
                .ok_or_else(|| at(format!("no classDef {name}")))?;
            let dashed = styles.iter().any(|(key, _)| key == "stroke-dasharray");
            for id in ids.split(',') {
                let node = diagram.nodes.iter_mut().find(|n| n.id == id);
                node.ok_or_else(|| at(format!("no node {id}")))?.dashed |= dashed;
            }
        } else if let Some(rest) = statement.strip_prefix("linkStyle ") {
            let (numbers, styles) = rest
                .split_once(' ')
                .ok_or_else(|| at("no styles".to_owned()))?;
            let styles = parse_styles(styles).map_err(at)?;
            for number in numbers.split(',') {
                let index: usize = number.parse().map_err(|_| at(format!("{number:?}")))?;
                if index >= diagram.edges.len() {
                    return Err(at(format!("no edge {index}")));
                }
                link_styles.insert(index, styles.clone());
            }
        } else if let Some((from, link, rest)) = split_link(statement) {
            let (lines, to) = edge_label(rest).map_err(at)?;
            for id in [&from, &to] {
                if diagram.node(id).is_none() {
                    return Err(at(format!("edge to undeclared node {id}")));
                }
            }
            let (_, directed, dashed) = link;
            diagram.edges.push(DiagramEdge {
                from,
                to,
                directed,
                dashed,
                lines,
                colours: None,
                thick: false,
            });
        } else {
            let (id, label) = vertex(statement).map_err(at)?;
            check_id(&id).map_err(at)?;
            if diagram.node(&id).is_some() {
                return Err(at(format!("node {id} declared twice")));
            }
            diagram.nodes.push(DiagramNode {
                id,
                lines: label,
                in_box: open.last().copied(),
                dashed: false,
            });
        }
    }
    if !open.is_empty() {
        return Err(format!("{} subgraph(s) without `end`", open.len()));
    }
    for (index, styles) in link_styles {
        let get = |key: &str| {
            styles
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let edge = &mut diagram.edges[index];
        edge.colours = get("stroke").zip(get("color"));
        edge.thick = get("stroke-width").is_some();
    }
    Ok(diagram)
}

/// Rules of Mermaid's lexer and pre-passes that act on a whole line, inside strings too:
/// `.*direction\s+(TB|BT|RL|LR)` is a direction statement; `style.*:\S*#.*;` and
/// `classDef.*:\S*#.*;` lose their last `;` before entities are decoded.
fn lexer_traps(line: &str) -> Result<(), String> {
    for (at, _) in line.match_indices("direction") {
        let rest = &line[at + "direction".len()..];
        let after = rest.trim_start();
        if after.len() < rest.len()
            && ["TB", "BT", "RL", "LR"]
                .iter()
                .any(|d| after.starts_with(d))
        {
            return Err("`direction` and a direction: Mermaid reads a direction statement".into());
        }
    }
    let statement = line.trim_start();
    let is_style = statement.starts_with("linkStyle ") || statement.starts_with("classDef ");
    if !is_style && (entity_prepass_cuts(line, "style") || entity_prepass_cuts(line, "classDef")) {
        return Err("Mermaid's entity pre-pass would cut a `;` from this line".into());
    }
    Ok(())
}

/// Whether `word.*:\S*#.*;` matches somewhere in `line`.
fn entity_prepass_cuts(line: &str, word: &str) -> bool {
    line.match_indices(word).any(|(at, _)| {
        let rest = &line[at + word.len()..];
        rest.match_indices(':').any(|(colon, _)| {
            let after = &rest[colon + 1..];
            let run: &str = after.split(char::is_whitespace).next().unwrap_or("");
            run.find('#')
                .is_some_and(|hash| after[hash..].contains(';'))
        })
    })
}

/// `ID["text"]`: the id and the text's lines.
fn vertex(statement: &str) -> Result<(String, Vec<String>), String> {
    let open = statement
        .find("[\"")
        .ok_or_else(|| "not `ID[\"text\"]`".to_owned())?;
    let (id, rest) = statement.split_at(open);
    let (lines, after) = string(&rest[1..])?;
    if after != "]" {
        return Err(format!("`{after}` after the string, not `]`"));
    }
    Ok((id.to_owned(), lines))
}

/// A quoted string at the start of `text`: its lines (split at `<br>`, entities decoded), and
/// what follows it. Mermaid's string ends at the next `"`; a string that starts with a backtick
/// is Markdown; the text is HTML, so `<` and `&` may only be what the diagrams write.
fn string(text: &str) -> Result<(Vec<String>, &str), String> {
    let body = text.strip_prefix('"').ok_or("no string")?;
    let end = body.find('"').ok_or("the string does not end")?;
    let (inside, after) = (&body[..end], &body[end + 1..]);
    if inside.starts_with('`') {
        return Err("a string starting with a backtick is a Markdown string".to_owned());
    }
    let lines = inside
        .split("<br>")
        .map(decode_entities)
        .collect::<Result<Vec<_>, _>>()?;
    Ok((lines, after))
}

fn single_line(lines: Vec<String>) -> Result<String, String> {
    match <[String; 1]>::try_from(lines) {
        Ok([line]) => Ok(line),
        Err(lines) => Err(format!("a title of {} lines", lines.len())),
    }
}

/// `#NNN;` (a code point) and `#name;` (quot, amp, lt, gt), as Mermaid decodes them; any other
/// `#`, and any `<`, `>` or `&`, is refused: it would be read as markup.
fn decode_entities(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match c {
            '#' => {
                let end = rest
                    .find(';')
                    .ok_or_else(|| format!("a bare `#` in {text:?}"))?;
                let code = &rest[1..end];
                let decoded = match code {
                    "quot" => '"',
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    digits => digits
                        .parse::<u32>()
                        .ok()
                        .filter(|_| digits.bytes().all(|b| b.is_ascii_digit()))
                        .and_then(char::from_u32)
                        .ok_or_else(|| format!("`#{code};` is no entity, in {text:?}"))?,
                };
                out.push(decoded);
                rest = &rest[end + 1..];
            }
            '<' | '>' | '&' => return Err(format!("a raw `{c}` in {text:?}")),
            c if c.is_control() => return Err(format!("a control character in {text:?}")),
            c => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    Ok(out)
}

/// An id as the flowchart lexer reads one token: a letter, then letters, digits or `_`; never a
/// keyword.
fn check_id(id: &str) -> Result<(), String> {
    let mut chars = id.chars();
    let starts = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !starts || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!("{id:?} is not a plain id"));
    }
    if KEYWORDS.contains(&id) || id == "v" {
        return Err(format!("{id:?} is a keyword"));
    }
    Ok(())
}

/// `ID LINK rest`, for a statement that is an edge: the id, the link, and what follows it.
fn split_link(statement: &str) -> Option<(String, (&'static str, bool, bool), &str)> {
    let (from, rest) = statement.split_once(' ')?;
    check_id(from).ok()?;
    LINKS.iter().find_map(|link| {
        let after = rest.strip_prefix(link.0)?;
        (after.starts_with('|') || after.starts_with(' ')).then(|| (from.to_owned(), *link, after))
    })
}

/// `|"text"| ID` or ` ID`: the label's lines and the id the edge goes to.
fn edge_label(rest: &str) -> Result<(Vec<String>, String), String> {
    let (lines, to) = match rest.strip_prefix('|') {
        Some(quoted) => {
            let (lines, after) = string(quoted)?;
            let to = after
                .strip_prefix("| ")
                .ok_or_else(|| format!("`{after}` after an edge label, not `| ID`"))?;
            (lines, to)
        }
        None => (Vec::new(), rest.trim_start()),
    };
    check_id(to)?;
    Ok((lines, to.to_owned()))
}

/// `key:value,key:value`, as `linkStyle` and `classDef` take them.
fn parse_styles(styles: &str) -> Result<Vec<(String, String)>, String> {
    styles
        .split(',')
        .map(|style| {
            let (key, value) = style
                .split_once(':')
                .ok_or_else(|| format!("style {style:?} is not key:value"))?;
            let fine = |c: char| c.is_ascii_alphanumeric() || " #.%-".contains(c);
            if key.is_empty() || !key.chars().all(fine) || !value.chars().all(fine) {
                return Err(format!("style {style:?}"));
            }
            Ok((key.to_owned(), value.to_owned()))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// DOT
// ---------------------------------------------------------------------------------------------

use graphviz_rust::dot_structures::{Attribute, EdgeTy, Graph, Id, Node, NodeId, Stmt, Vertex};

/// Parses DOT with graphviz-rust, and reads the shape the diagrams have: an undirected graph of
/// `cluster_` subgraphs holding nodes, nodes, and edges between two nodes.
pub fn parse_dot(text: &str) -> Result<Diagram, String> {
    let graph = graphviz_rust::parse(text)?;
    let stmts = match graph {
        Graph::Graph { stmts, .. } => stmts,
        Graph::DiGraph { .. } => return Err("a digraph; the diagrams are undirected".into()),
    };
    let mut diagram = Diagram::default();
    read_stmts(&mut diagram, &stmts, None)?;
    for edge in &diagram.edges {
        for id in [&edge.from, &edge.to] {
            if diagram.node(id).is_none() {
                return Err(format!("edge to undeclared node {id}"));
            }
        }
    }
    Ok(diagram)
}

fn read_stmts(diagram: &mut Diagram, stmts: &[Stmt], in_box: Option<usize>) -> Result<(), String> {
    for stmt in stmts {
        match stmt {
            Stmt::Subgraph(subgraph) => {
                let id = plain(&subgraph.id)?;
                if !id.starts_with("cluster_") {
                    return Err(format!("subgraph {id} is not drawn as a box"));
                }
                let title = subgraph.stmts.iter().find_map(|stmt| match stmt {
                    Stmt::Attribute(Attribute(key, value)) if plain(key).ok()? == "label" => {
                        Some(value)
                    }
                    _ => None,
                });
                let title = lines(title.ok_or("a box without a label")?)?;
                diagram.boxes.push((single_line(title)?, in_box));
                let index = diagram.boxes.len() - 1;
                read_stmts(diagram, &subgraph.stmts, Some(index))?;
            }
            Stmt::Node(Node { id, attributes }) => {
                let attributes = read_attributes(attributes)?;
                diagram.nodes.push(DiagramNode {
                    id: node_id(id)?,
                    lines: attributes.lines("label")?,
                    in_box,
                    dashed: attributes
                        .text("style")?
                        .is_some_and(|s| s.contains("dashed")),
                });
            }
            Stmt::Edge(edge) => {
                let EdgeTy::Pair(Vertex::N(from), Vertex::N(to)) = &edge.ty else {
                    return Err(format!("an edge that is not between two nodes: {edge:?}"));
                };
                let attributes = read_attributes(&edge.attributes)?;
                let colours = attributes.text("color")?.zip(attributes.text("fontcolor")?);
                diagram.edges.push(DiagramEdge {
                    from: node_id(from)?,
                    to: node_id(to)?,
                    directed: attributes.text("dir")?.as_deref() == Some("forward"),
                    dashed: attributes.text("style")?.as_deref() == Some("dashed"),
                    lines: attributes.lines("label")?,
                    colours,
                    thick: attributes.text("penwidth")?.is_some(),
                });
            }
            Stmt::Attribute(_) | Stmt::GAttribute(_) => {}
        }
    }
    Ok(())
}

struct Attributes<'a>(Vec<(String, &'a Id)>);

fn read_attributes(attributes: &[Attribute]) -> Result<Attributes<'_>, String> {
    attributes
        .iter()
        .map(|Attribute(key, value)| Ok((plain(key)?, value)))
        .collect::<Result<_, String>>()
        .map(Attributes)
}

impl Attributes<'_> {
    fn get(&self, key: &str) -> Option<&Id> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    fn text(&self, key: &str) -> Result<Option<String>, String> {
        self.get(key)
            .map(|id| lines(id).map(|lines| lines.join("\n")))
            .transpose()
    }

    fn lines(&self, key: &str) -> Result<Vec<String>, String> {
        self.get(key).map_or(Ok(Vec::new()), lines)
    }
}

fn node_id(id: &NodeId) -> Result<String, String> {
    if id.1.is_some() {
        return Err(format!("a port on {:?}", id.0));
    }
    plain(&id.0)
}

fn plain(id: &Id) -> Result<String, String> {
    match id {
        Id::Plain(text) => Ok(text.clone()),
        other => Err(format!("{other:?} is not a plain id")),
    }
}

/// A DOT id's text, as lines: a quoted string unescaped (`\"`, `\\`), split at `\n`. Any other
/// backslash sequence is refused: Graphviz gives it a meaning (`\N` the node's name, `\l`...).
fn lines(id: &Id) -> Result<Vec<String>, String> {
    let quoted = match id {
        Id::Plain(text) => return Ok(vec![text.clone()]),
        Id::Escaped(quoted) => quoted,
        other => return Err(format!("{other:?} is neither plain nor quoted")),
    };
    let inside = &quoted[1..quoted.len() - 1];
    let mut lines = vec![String::new()];
    let mut chars = inside.chars();
    while let Some(c) = chars.next() {
        let line = lines.last_mut().expect("a line");
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('"') => line.push('"'),
                Some('\\') => line.push('\\'),
                Some('n') => lines.push(String::new()),
                other => return Err(format!("`\\{other:?}` in {quoted}")),
            },
            (c, false) if c.is_control() => return Err(format!("a control character in {quoted}")),
            (c, false) => line.push(c),
        }
    }
    Ok(lines)
}
