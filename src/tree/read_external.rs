//! External postoffices: NETWORK.GLB, XTN and USR files, and NME entries
//! resolved through NETPO/GALNETPO.

use super::data::{ExternalPostOffice, NetworkData, PostOfficeData, UsrEntry};
use super::identity::{network_kind, NetworkRec, XtnRec};
use super::lists::{nme_kind, NetpoSlices, NmeRec, UsrRec};
use super::open::{rec_loc, Reader};
use super::origins::origin;
use super::{read_record_fields, read_records, Ctx, FixedRecord, NO_RECORD};
use crate::codepage::cp850_upper;
use crate::error::{Location, Result};
use crate::model::{Address, EntryKind};

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
                for (xi, x) in xtn.iter().enumerate() {
                    if x.status != super::STATUS_IN_USE {
                        continue;
                    }
                    let xat = RecordAt::new(xi, XtnRec::SIZE, 0);
                    let bag = match validate::mailbag(
                        &xf,
                        xat,
                        xtn_layout::MAILBAG,
                        "mailbag",
                        &x.mailbag,
                    ) {
                        Ok(bag) => bag,
                        Err(f) => {
                            r.ctx.report(&f)?;
                            continue;
                        }
                    };
                    let (tpl, inf) = read_templates(r, &x.mailbag)?;
                    let mut po = ExternalPostOffice {
                        name: x.postoffice.clone(),
                        mailbag: Some(bag),
                        connection: x.connection,
                        route: x.route.clone(),
                        dirsync: x.dirsync != 0,
                        last_update: x.last_update,
                        template: tpl.clone(),
                        entries: Vec::new(),
                    };
                    let urel = format!("USR/{}.USR", x.mailbag);
                    match r.optional(&urel)? {
                        Some((uf, ub)) => {
                            let (_, usr) = read_record_fields::<UsrRec>(&uf, &ub, 0, &mut r.ctx)?;
                            let uf_id = r.origins.file(&uf, 0, UsrRec::SIZE);
                            let inf_used: std::collections::BTreeSet<u32> = usr
                                .iter()
                                .filter(|u| u.status == super::STATUS_IN_USE && u.inf != NO_RECORD)
                                .map(|u| u.inf)
                                .collect();
                            check_inf_use(r, &inf, &tpl, &inf_used, &uf)?;
                            po.entries.reserve_exact(usr.len());
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
                                    records.push(origin(uf_id, ui).index);
                                }
                                po.entries.push(UsrEntry {
                                    full_name: u.full_name,
                                    mailbox: u.mailbox,
                                    kind,
                                    template,
                                });
                            }
                            if r.keep_usr_origins {
                                r.origins.usr.insert(
                                    (net_index, nd.postoffices.len()),
                                    super::origins::UsrRecords {
                                        file: uf_id,
                                        records,
                                    },
                                );
                            }
                        }
                        None => r.ctx.report(&validate::usr_missing(
                            &r.shown(&urel),
                            &n.name,
                            &x.postoffice,
                        ))?,
                    }
                    nd.postoffices.push(po);
                }
            }
        }
        data.networks.push(nd);
    }
    Ok(())
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
/// [`resolve_netpo`] does, with the same damage, without building its
/// address: for entries the caller does not keep (the lean load's GAL).
/// Gateway entries take [`resolve_netpo`] (their network is checked too).
pub(super) fn check_netpo(
    r: &mut Reader<'_>,
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
    resolve_netpo(r, data, file, netpo, e, loc).map(|_| ())
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
        return Ok(Some(Address::pcm(
            &rec.network,
            &rec.postoffice,
            &rec.mailbox,
        )));
    }
    let up = cp850_upper(&rec.network);
    let net = data.networks.iter().find(|n| cp850_upper(&n.name) == up);
    match net {
        Some(n) if n.kind == network_kind::GATEWAY_101010 => Ok(Some(Address {
            type_name: n.address_type.as_str().into(),
            body: compact_str::format_compact!(
                "{}/{}/{}",
                rec.network,
                rec.postoffice,
                rec.mailbox
            ),
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
