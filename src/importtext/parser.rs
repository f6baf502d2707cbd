//! The line parser: the state machine that turns import-text lines into
//! operations (pending `A`/`M` entries, template definitions and data lines).

use std::sync::Arc;

use crate::error::{Error, Location, Result};
use crate::model::{Address, Entry, EntryKind, Operation, Origin, Position, Scope, TemplateDef};

use super::fields::{
    first_char, op_line, parse_template_field, parse_template_value, split_name_address,
    template_data_start,
};

/// What the line parser is in the middle of.
enum Pending {
    None,
    /// An `A` or `D` entry, waiting for template lines.
    Entry(char, Entry),
    /// An `M name address` line (on line `u64`) waiting for its next line: the
    /// new name and address (a line starting with a blank), or template data.
    ModifyOld(Entry, u64),
    /// An `M name` line without an address (on line `u64`, name at column
    /// `usize`), waiting for the line with the entry's complete address (Q127918).
    ModifyNameOnly(String, u64, usize),
    /// A complete `M`, waiting for template lines (they belong to the new entry).
    Modify(Entry, Entry),
    /// A `T` definition collecting field lines.
    Template(TemplateDef),
}

/// Line-at-a-time state machine over the import grammar.
pub(super) struct LineParser {
    file: Arc<str>,
    line_no: u64,
    pending: Pending,
}

impl LineParser {
    pub(super) fn new(file: &str, first_line: u64) -> Self {
        LineParser {
            file: Arc::from(file),
            line_no: first_line.saturating_sub(1),
            pending: Pending::None,
        }
    }

    fn err_at(&self, line: u64, column: usize, message: impl Into<String>) -> Error {
        Error::input(
            self.file.to_string(),
            Location::Line {
                line,
                column: column as u64,
            },
            message,
        )
    }

    fn err(&self, column: usize, message: impl Into<String>) -> Error {
        self.err_at(self.line_no, column, message)
    }

    fn origin(&self) -> Origin {
        self.origin_at(self.line_no)
    }

    fn origin_at(&self, line: u64) -> Origin {
        Origin {
            file: self.file.clone(),
            position: Position::Line(line),
        }
    }

    fn flush<F: FnMut(Operation)>(&mut self, sink: &mut F) {
        match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::None | Pending::ModifyOld(..) | Pending::ModifyNameOnly(..) => {}
            Pending::Entry('D', e) => sink(Operation::Delete(e)),
            Pending::Entry(_, e) => sink(Operation::Add(e)),
            Pending::Modify(old, new) => sink(Operation::Modify { old, new }),
            Pending::Template(def) => sink(Operation::Template(def)),
        }
    }

    pub(super) fn finish<F: FnMut(Operation)>(mut self, sink: &mut F) -> Result<()> {
        match &self.pending {
            Pending::ModifyOld(_, at) => {
                return Err(self.err_at(
                    *at,
                    1,
                    "this M line is the last line: expected after it the entry's new name and \
                     address on a line starting with a blank (Q132681), or its template data \
                     `- prompt/value` (Q127918)",
                ))
            }
            Pending::ModifyNameOnly(_, at, col) => {
                return Err(self.err_at(
                    *at,
                    *col,
                    "this M line names no address and is the last line: expected the entry's \
                     complete address `TYPE:...` on the next line (Q127918)",
                ))
            }
            _ => {}
        }
        self.flush(sink);
        Ok(())
    }

    pub(super) fn line<F: FnMut(Operation)>(&mut self, line: &str, sink: &mut F) -> Result<()> {
        self.line_no += 1;
        let blank = line.trim().is_empty();
        match &self.pending {
            Pending::ModifyOld(..) => {
                if blank {
                    // Q127918 prints blank lines between an M line and what follows.
                    return Ok(());
                }
                if line.starts_with([' ', '\t']) {
                    // Continuation: one or more spaces (Q132681: two, Q117198: one)
                    // or one TAB. Only those: a TAB after the spaces separates an
                    // empty name from the address.
                    let body = match line.strip_prefix('\t') {
                        Some(rest) => rest,
                        None => line.trim_start_matches(' '),
                    };
                    let new = self.entry_from(body, line.len() - body.len() + 1)?;
                    if let Pending::ModifyOld(old, _) =
                        std::mem::replace(&mut self.pending, Pending::None)
                    {
                        self.pending = Pending::Modify(old, new);
                    }
                    return Ok(());
                }
                if template_data_start(line).is_err() {
                    return Err(self.err(
                        1,
                        format!(
                            "expected the new name and address of the M entry above on a line \
                             starting with a blank (Q132681, Q117198), or its template data \
                             `- prompt/value` (Q127918); found {:?}",
                            first_char(line)
                        ),
                    ));
                }
                // M followed directly by template data: the entry keeps its name
                // and address, the template lines replace its data (Q127918).
                if let Pending::ModifyOld(old, _) =
                    std::mem::replace(&mut self.pending, Pending::None)
                {
                    let mut new = old.clone();
                    new.origin = self.origin();
                    self.pending = Pending::Modify(old, new);
                }
            }
            Pending::ModifyNameOnly(..) => {
                if blank {
                    return Ok(());
                }
                if template_data_start(line).is_ok() {
                    return Err(self.err(
                        1,
                        "expected the complete address `TYPE:...` of the entry the M line above \
                         names, before its template data (IMPORT reports Error 72 here, Q127918)",
                    ));
                }
                let body = line.trim_start_matches([' ', '\t']);
                let col = line.len() - body.len() + 1;
                let Some((name, addr)) = split_name_address(body) else {
                    return Err(self.err(
                        col,
                        "expected the complete address `TYPE:...` of the entry the M line above \
                         names (e.g. PCM:NETWORK/POSTOFFICE/GEORGEJ, Q127918)",
                    ));
                };
                let addr_col = col + (body.len() - addr.len());
                let address = self.address_at(addr, addr_col)?;
                if let Pending::ModifyNameOnly(old_name, at, _) =
                    std::mem::replace(&mut self.pending, Pending::None)
                {
                    let old = Entry {
                        full_name: old_name.clone().into(),
                        address: address.clone(),
                        kind: EntryKind::User,
                        template: Vec::new(),
                        origin: self.origin_at(at),
                    };
                    // A name before the address on this line is the new name.
                    let new_name = if name.is_empty() {
                        old_name
                    } else {
                        name.to_string()
                    };
                    let new = Entry {
                        full_name: new_name.into(),
                        address,
                        kind: EntryKind::User,
                        template: Vec::new(),
                        origin: self.origin(),
                    };
                    self.pending = Pending::Modify(old, new);
                }
                return Ok(());
            }
            _ => {}
        }
        if blank {
            // Blank lines are ignored, also between a T line and its field
            // lines (Q104281, Q125920, Q126611).
            return Ok(());
        }
        let in_template = matches!(self.pending, Pending::Template(_));
        // A `#` comment line (GIMPORT writes them into files for IMPORT, Q99419).
        // Inside a T definition a `#` line with `~` is a field line (`# of units:~...`).
        if line.starts_with('#') && !(in_template && line.contains('~')) {
            return Ok(());
        }
        // Template data line.
        if let Ok((value_part, _)) = template_data_start(line) {
            let column = line.len() - value_part.len() + 1;
            let tv = parse_template_value(value_part).map_err(|m| self.err(column, m))?;
            return match &mut self.pending {
                Pending::Entry(_, e) | Pending::Modify(_, e) => {
                    e.template.push(tv);
                    Ok(())
                }
                Pending::Template(_) => Err(self.err(
                    1,
                    "template data `- prompt/value` must follow an A or M entry; here a T \
                     definition expects field lines `prompt~start~width~edit~data~internal`",
                )),
                _ => Err(self.err(
                    1,
                    "template data `- prompt/value` has no A or M entry above it \
                     (expected an A or M line first)",
                )),
            };
        }
        // Field line of a template definition.
        if let Pending::Template(def) = &mut self.pending {
            if line.contains('~') && op_line(line).is_err() {
                let field = parse_template_field(line).map_err(|(col, m)| {
                    Error::input(
                        self.file.to_string(),
                        Location::Line {
                            line: self.line_no,
                            column: col as u64,
                        },
                        m,
                    )
                })?;
                def.fields.push(field);
                return Ok(());
            }
        }
        let (body, op) = op_line(line).map_err(|_| self.unknown_line(line, in_template))?;
        self.flush(sink);
        let body_col = line.len() - body.len() + 1;
        match op.to_ascii_uppercase() {
            'A' => self.pending = Pending::Entry('A', self.entry_from(body, body_col)?),
            'D' => self.pending = Pending::Entry('D', self.entry_from(body, body_col)?),
            'M' => {
                self.pending = match split_name_address(body) {
                    Some(_) => Pending::ModifyOld(self.entry_from(body, body_col)?, self.line_no),
                    // `M George Jones`: the address follows on the next line (Q127918).
                    None if !body.trim().is_empty() => Pending::ModifyNameOnly(
                        body.trim().to_string(),
                        self.line_no,
                        body_col + (body.len() - body.trim_start().len()),
                    ),
                    None => {
                        return Err(self.err(
                            body_col,
                            "expected the name and address of the entry to modify after `M `",
                        ))
                    }
                };
            }
            'R' => {
                let scope = Scope::parse(body).map_err(|e| {
                    self.err(
                        body_col,
                        format!("expected a scope after `R ` (PCM:NET/PO, PROFS:GATE/NODE or SMTP:): {}", e.0),
                    )
                })?;
                sink(Operation::Replace(scope));
            }
            _ => {
                let scope = Scope::parse(body).map_err(|e| {
                    self.err(
                        body_col,
                        format!("expected a scope after `T ` (PROFS: GATE/NODE, SNADS:GATE/DGN, PCM:NET/PO): {}", e.0),
                    )
                })?;
                self.pending = Pending::Template(TemplateDef {
                    scope,
                    fields: Vec::new(),
                });
            }
        }
        Ok(())
    }

    /// The refusal for a line that is no operation: what was expected there.
    fn unknown_line(&self, line: &str, in_template: bool) -> Error {
        let first = first_char(line);
        if "ADMRTadmrt".contains(first) {
            let second = line.chars().nth(1).unwrap_or(' ');
            return self.err(
                2,
                format!(
                    "expected a blank in column 2 after the operation letter {first:?}, \
                     found {second:?}"
                ),
            );
        }
        let field = if in_template {
            ", a template field line `prompt~start~width~edit~data~internal`"
        } else {
            ""
        };
        let after = line.get(first.len_utf8()..).unwrap_or("");
        let gimport = if matches!(first, 'G' | 'g' | 'P' | 'p') && after.starts_with([' ', '\t']) {
            format!(" ({first:?} lines belong to GIMPORT group files, not to import text)")
        } else {
            String::new()
        };
        self.err(
            1,
            format!(
                "unknown operation {first:?}: expected an operation letter A, D, M, R or T \
                 followed by a blank, template data `- prompt/value`{field}, a `#` comment or \
                 a blank line{gimport}"
            ),
        )
    }

    /// An address at `addr_col`, refused when it has nothing after `TYPE:`.
    fn address_at(&self, addr: &str, addr_col: usize) -> Result<Address> {
        let address = Address::parse(addr).map_err(|e| self.err(addr_col, e.0))?;
        if address.body.trim().is_empty() {
            return Err(self.err(
                addr_col,
                "expected an address after `TYPE:` (e.g. PCM:NET/PO/MAILBOX), found nothing",
            ));
        }
        Ok(address)
    }

    /// Name and address from the text after the op columns.
    fn entry_from(&self, body: &str, body_col: usize) -> Result<Entry> {
        let (name, addr) = split_name_address(body).ok_or_else(|| {
            self.err(
                body_col,
                "no address: expected `TYPE:...` after the name (e.g. PCM:NET/PO/MAILBOX)",
            )
        })?;
        let addr_col = body_col + (body.len() - addr.len());
        let address = self.address_at(addr, addr_col)?;
        Ok(Entry {
            full_name: name.into(),
            address,
            kind: EntryKind::User,
            template: Vec::new(),
            origin: self.origin(),
        })
    }
}
