//! External postoffices: NETWORK.GLB, XTN and USR files, and NME entries
//! resolved through NETPO/GALNETPO.

use super::data::{ExternalPostOffice, NetworkData, PostOfficeData, UsrEntry};
use super::identity::{network_kind, NetworkRec, XtnRec};
use super::lists::{nme_kind, NetpoRec, NetpoSlices, NmeRec, UsrRec};
use super::open::{rec_loc, Reader};
use super::origins::origin;
use super::{read_record_fields, read_records, Ctx, FixedRecord, NO_RECORD};
use crate::codepage::cp850_upper;
use crate::error::{Location, Result};
use crate::model::TemplateField;
use crate::model::{Address, EntryKind};
use rayon::prelude::*;

use super::identity::{network_layout, xtn_layout};
use super::read::{check_inf_use, read_templates, template_values};
use super::validate::{self, RecordAt};

/// NETWORK.GLB, each network's XTN file and each postoffice's USR list.
pub(super) fn read_networks(r: &mut Reader<'_>, data: &mut PostOfficeData) -> Result<()> {
    // Networks, postoffices, USR lists.
    let lists_present = r.folder_has_files("XTN") || r.folder_has_files("USR");
    let networks: Vec<NetworkRec> = match r.optional("GLB/NETWORK.GLB")? {
        Some((f, b)) => {
            if b.is_empty() && lists_present {
                r.ctx.damage(
                    &f,
                    Location::File,
                    "empty, but XTN/ and USR/ hold address lists: NETWORK.GLB is what names \
                     them, so no external list can be read",
                )?;
            }
            read_records::<NetworkRec>(&f, &b, 0, &mut r.ctx)?.1
        }
        None => {
            if lists_present && !r.present("GLB/NETWORK.GLB") {
                r.ctx.damage(
                    &r.shown("GLB/NETWORK.GLB"),
                    Location::File,
                    "missing, but XTN/ and USR/ hold address lists: NETWORK.GLB is what \
                     names them, so no external list can be read",
                )?;
            }
            Vec::new()
        }
    };
    let netfile = r.shown("GLB/NETWORK.GLB");
    for (ni, n) in networks.iter().enumerate() {
        if n.status != super::STATUS_IN_USE {
            continue;
        }
        // This network's position in `data.networks` once it is pushed.
        let net_index = data.networks.len();
        let mut nd = NetworkData {
            name: n.name.clone(),
            kind: n.kind,
            address_type: n.address_type.clone(),
            xtn_prefix: None,
            postoffices: Vec::new(),
        };
        let at = RecordAt::new(ni, NetworkRec::SIZE, 0);
        let kind = match validate::network_kind(&netfile, at, n.kind) {
            Ok(kind) => kind,
            Err(f) => {
                r.ctx.report(&f)?;
                continue;
            }
        };
        match kind {
            network_kind::GATEWAY_OTHER => {}
            _ => {
                let prefix = match validate::mailbag(
                    &netfile,
                    at,
                    network_layout::XTN_PREFIX,
                    "XTN prefix",
                    &n.xtn_prefix,
                ) {
                    Ok(prefix) => prefix,
                    Err(f) => {
                        r.ctx.report(&f)?;
                        continue;
                    }
                };
                nd.xtn_prefix = Some(prefix);
                let rel = format!("XTN/{}.XTN", n.xtn_prefix);
                let Some((xf, xb)) = r.optional(&rel)? else {
                    r.ctx
                        .report(&validate::missing_xtn(&r.shown(&rel), ni, &n.name))?;
                    data.networks.push(nd);
                    continue;
                };
                let (_, xtn) = read_records::<XtnRec>(&xf, &xb, 0, &mut r.ctx)?;
                // Each postoffice's mailbag, checked first without a word;
                // the lists of the good ones are read on every core; then
                // everything is told and taken in record order, as reading
                // them one by one would (a strict read stops at the same
                // first damage; lists read past it are dropped).
                let bags: Vec<Option<std::result::Result<u32, validate::TreeFinding>>> = xtn
                    .iter()
                    .enumerate()
                    .map(|(xi, x)| {
                        (x.status == super::STATUS_IN_USE).then(|| {
                            let xat = RecordAt::new(xi, XtnRec::SIZE, 0);
                            validate::mailbag(&xf, xat, xtn_layout::MAILBAG, "mailbag", &x.mailbag)
                        })
                    })
                    .collect();
                let shared = SharedReader::of(r);
                let keys_only = r.usr_keys.is_some();
                let mut lists: Vec<Option<ListRead>> = xtn
                    .par_iter()
                    .zip(bags.par_iter())
                    .map(|(x, bag)| {
                        matches!(bag, Some(Ok(_))).then(|| {
                            let mut read = shared.read(&x.mailbag, &n.name, &x.postoffice);
                            if keys_only {
                                read.keep_keys_only(&nd, &x.postoffice);
                            }
                            read
                        })
                    })
                    .collect();
                for (xi, x) in xtn.iter().enumerate() {
                    let bag = match bags.get(xi) {
                        Some(Some(Ok(bag))) => *bag,
                        Some(Some(Err(f))) => {
                            r.ctx.report(f)?;
                            continue;
                        }
                        _ => continue,
                    };
                    let Some(mut list) = lists.get_mut(xi).and_then(Option::take) else {
                        continue;
                    };
                    let keys = list.keys.take();
                    let (tpl, entries, usr) = list.take_into(r)?;
                    if let (Some(keys), Some(kept)) = (keys, r.usr_keys.as_mut()) {
                        kept.add_list(keys, net_index, nd.postoffices.len(), &x.mailbag);
                    }
                    if let Some((file, records)) = usr {
                        let at = nd.postoffices.len();
                        r.origins.add_usr_list(net_index, at, &file, records);
                    }
                    nd.postoffices.push(ExternalPostOffice {
                        name: x.postoffice.clone(),
                        mailbag: Some(bag),
                        connection: x.connection,
                        route: x.route.clone(),
                        dirsync: x.dirsync != 0,
                        last_update: x.last_update,
                        template: tpl,
                        entries,
                    });
                }
            }
        }
        data.networks.push(nd);
    }
    Ok(())
}

/// What the list readers running beside each other share of the reader:
/// the tree, its folder listings, and how to read.
struct SharedReader<'a> {
    root: &'a std::path::Path,
    listings: super::open::Listings,
    salvage: bool,
    gal_entries: super::open::GalEntries,
    keep_usr_origins: bool,
}

impl<'a> SharedReader<'a> {
    fn of(r: &Reader<'a>) -> SharedReader<'a> {
        SharedReader {
            root: r.root,
            listings: std::sync::Arc::clone(&r.listings),
            salvage: r.ctx.salvage,
            gal_entries: r.gal_entries,
            keep_usr_origins: r.keep_usr_origins,
        }
    }

    /// Reads one list with a reader of its own.
    fn read(&self, hex: &str, network: &str, postoffice: &str) -> ListRead {
        let mut own = Reader {
            root: self.root,
            ctx: Ctx::new(self.salvage),
            unrepresentable: 0,
            origins: Default::default(),
            listings: std::sync::Arc::clone(&self.listings),
            gal_entries: self.gal_entries,
            keep_usr_origins: self.keep_usr_origins,
            usr_keys: None,
        };
        let result = read_list(&mut own, hex, network, postoffice);
        ListRead {
            result,
            warnings: own.ctx.warnings,
            findings: own.ctx.findings,
            keys: None,
        }
    }
}

/// One postoffice's template fields, USR entries and (when origins are
/// kept) its USR file's shown name and the record of each entry.
pub(super) type ListData = (
    Vec<TemplateField>,
    Vec<UsrEntry>,
    Option<(String, Vec<u32>)>,
);

/// A list read by its own reader, with what that reader had to tell.
struct ListRead {
    result: Result<ListData>,
    warnings: Vec<String>,
    findings: Vec<String>,
    /// The scoped read: the list's keys, its entries dropped.
    keys: Option<super::scoped::ListKeys>,
}

impl ListRead {
    /// Keeps the list's keys (and what the scoped writer needs to know of
    /// its entries) instead of its entries: the scoped read.
    fn keep_keys_only(&mut self, net: &NetworkData, postoffice: &str) {
        if let Ok((_, entries, _)) = &mut self.result {
            let entries = std::mem::take(entries);
            self.keys = Some(super::scoped::ListKeys::of(net, postoffice, &entries));
        }
    }

    /// Tells `r` what the list's reader told, then gives its data or error.
    fn take_into(self, r: &mut Reader<'_>) -> Result<ListData> {
        r.ctx.warnings.extend(self.warnings);
        r.ctx.findings.extend(self.findings);
        self.result
    }
}

/// TPL, INF and USR of the external postoffice with mailbag `hex`: its
/// template fields and entries (damage to `r.ctx`).
pub(super) fn read_list(
    r: &mut Reader<'_>,
    hex: &str,
    network: &str,
    postoffice: &str,
) -> Result<ListData> {
    let (tpl, inf) = read_templates(r, hex)?;
    let urel = format!("USR/{hex}.USR");
    let Some((uf, ub)) = r.optional(&urel)? else {
        r.ctx
            .report(&validate::usr_missing(&r.shown(&urel), network, postoffice))?;
        return Ok((tpl, Vec::new(), None));
    };
    let (_, usr) = read_record_fields::<UsrRec>(&uf, &ub, 0, &mut r.ctx)?;
    let inf_used: std::collections::BTreeSet<u32> = usr
        .iter()
        .filter(|u| u.status == super::STATUS_IN_USE && u.inf != NO_RECORD)
        .map(|u| u.inf)
        .collect();
    check_inf_use(r, &inf, &tpl, &inf_used, &uf)?;
    let mut entries = Vec::with_capacity(usr.len());
    let mut records: Vec<u32> = Vec::new();
    for (ui, u) in usr.into_iter().enumerate() {
        if u.status != super::STATUS_IN_USE {
            continue;
        }
        let uloc = rec_loc(ui, UsrRec::SIZE, 0);
        let uat = RecordAt::new(ui, UsrRec::SIZE, 0);
        let kind = match validate::usr_kind(&uf, uat, u.kind) {
            Ok(false) => EntryKind::User,
            Ok(true) => EntryKind::Group,
            Err(f) => {
                r.ctx.report(&f)?;
                continue;
            }
        };
        let template = template_values(r, &tpl, &inf, u.inf, &uf, uloc)?;
        if r.keep_usr_origins {
            records.push(origin(0, ui).index);
        }
        entries.push(UsrEntry {
            full_name: u.full_name,
            mailbox: u.mailbox,
            kind,
            template,
        });
    }
    let usr = r.keep_usr_origins.then_some((uf, records));
    Ok((tpl, entries, usr))
}

/// Resolves an NME kind 2/8 entry through NETPO/GALNETPO.
pub(super) fn resolve_netpo(
    r: &mut Reader<'_>,
    data: &PostOfficeData,
    file: &str,
    netpo: &Option<(String, NetpoSlices<'_>)>,
    e: &NmeRec,
    loc: Location,
) -> Result<Option<Address>> {
    let mut unrepresentable = Vec::new();
    let a = resolve_netpo_entry(&mut r.ctx, &mut unrepresentable, data, file, netpo, e, loc);
    for m in unrepresentable {
        r.unrepresentable(m);
    }
    a
}

/// Checks an external (`PCM`) entry's NETPO/GALNETPO record as
/// [`resolve_netpo_entry`] does, with the same damage, without building its
/// address: for entries the caller does not keep (the lean load's GAL).
/// Gateway entries take [`resolve_netpo`] (their network is checked too).
pub(super) fn check_netpo_entry(
    ctx: &mut Ctx,
    unrepresentable: &mut Vec<String>,
    data: &PostOfficeData,
    file: &str,
    netpo: &Option<(String, NetpoSlices<'_>)>,
    e: &NmeRec,
    loc: Location,
) -> Result<()> {
    let found = netpo.as_ref().map(|(_, np)| np.status_at(e.pointer));
    if e.kind == nme_kind::EXTERNAL && found == Some(Some(super::STATUS_IN_USE)) {
        return Ok(());
    }
    resolve_netpo_entry(ctx, unrepresentable, data, file, netpo, e, loc).map(|_| ())
}

/// [`resolve_netpo`] for any reader: damage goes to `ctx`, entries profile
/// v1 cannot represent are described in `unrepresentable`.
pub(crate) fn resolve_netpo_entry(
    ctx: &mut Ctx,
    unrepresentable: &mut Vec<String>,
    data: &PostOfficeData,
    file: &str,
    netpo: &Option<(String, NetpoSlices<'_>)>,
    e: &NmeRec,
    loc: Location,
) -> Result<Option<Address>> {
    resolve_netpo_target(ctx, unrepresentable, data, file, netpo, e, loc)
        .map(|t| t.map(|t| t.address()))
}

/// What an external NME entry's NETPO/GALNETPO record names: the address
/// type and the record whose network, postoffice and mailbox are the
/// address's three parts.
pub(crate) struct NetpoTarget<'d> {
    type_name: &'d str,
    rec: NetpoRec,
}

impl NetpoTarget<'_> {
    /// The address `TYPE:NETWORK/POSTOFFICE/MAILBOX`.
    pub(crate) fn address(&self) -> Address {
        let r = &self.rec;
        Address {
            type_name: self.type_name.into(),
            body: compact_str::format_compact!("{}/{}/{}", r.network, r.postoffice, r.mailbox),
        }
    }

    /// Appends the key text of [`NetpoTarget::address`] to `out`, without
    /// building the address.
    pub(crate) fn key_into(&self, out: &mut String) {
        let r = &self.rec;
        let parts = [
            r.network.as_str(),
            r.postoffice.as_str(),
            r.mailbox.as_str(),
        ];
        Address::key_of_parts_into(self.type_name, &parts, out);
    }
}

/// [`resolve_netpo_entry`] without building the address.
pub(crate) fn resolve_netpo_target<'d>(
    ctx: &mut Ctx,
    unrepresentable: &mut Vec<String>,
    data: &'d PostOfficeData,
    file: &str,
    netpo: &Option<(String, NetpoSlices<'_>)>,
    e: &NmeRec,
    loc: Location,
) -> Result<Option<NetpoTarget<'d>>> {
    let Some((pf, np)) = netpo else {
        ctx.damage(file, loc, "external entry, but the NETPO file is missing")?;
        return Ok(None);
    };
    let Some(rec) = np
        .at(e.pointer)
        .filter(|x| x.status == super::STATUS_IN_USE)
    else {
        ctx.damage(
            file,
            loc,
            format!("dangling pointer {} into {pf}", e.pointer),
        )?;
        return Ok(None);
    };
    if e.kind == nme_kind::EXTERNAL {
        return Ok(Some(NetpoTarget {
            type_name: "PCM",
            rec,
        }));
    }
    let up = cp850_upper(&rec.network);
    let net = data.networks.iter().find(|n| cp850_upper(&n.name) == up);
    match net {
        Some(n) if n.kind == network_kind::GATEWAY_101010 => Ok(Some(NetpoTarget {
            type_name: &n.address_type,
            rec,
        })),
        Some(n) => {
            unrepresentable.push(format!(
                "{file}: {loc}: gateway entry {:?} names network {} of kind {} (long-form addresses need text formats)",
                e.full_name, n.name, n.kind
            ));
            Ok(None)
        }
        None => {
            unrepresentable.push(format!(
                "{file}: {loc}: gateway entry {:?} names network {:?}, which NETWORK.GLB does not list",
                e.full_name, rec.network
            ));
            Ok(None)
        }
    }
}
