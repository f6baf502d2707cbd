//! A small hand-built postoffice (`ACME/HQ`) used by tests and by
//! `fixtures/tree/small/` (written by `tests/tree_roundtrip.rs`). It touches every
//! file kind: local users with template data, an excluded user, a group with
//! local and external members, an MS Mail network with two postoffices (one with
//! a template), a 10/10/10 gateway with one node, an SMTP gateway, POL externals
//! of kinds 2 and 8, and a GAL.

use super::identity::network_kind;
use super::postoffice::{
    ExternalPostOffice, ListEntry, LocalGroup, LocalUser, NetworkData, PostOfficeData, UsrEntry,
};
use crate::model::{Address, EntryKind, TemplateField, TemplateValue};

fn field(prompt: &str, width: u16, edit: &str, internal: &str) -> TemplateField {
    TemplateField {
        prompt: prompt.into(),
        start: 12,
        width,
        edit: edit.into(),
        data: String::new(),
        internal: internal.into(),
        written_fields: 6,
    }
}

fn tv(prompt: &str, value: &str) -> TemplateValue {
    TemplateValue {
        prompt: prompt.into(),
        value: value.into(),
    }
}

fn usr(full_name: &str, mailbox: &str) -> UsrEntry {
    UsrEntry {
        full_name: full_name.into(),
        mailbox: mailbox.into(),
        kind: EntryKind::User,
        template: Vec::new(),
    }
}

/// The small sample postoffice `ACME/HQ` (numbers left for the writer to assign).
pub fn small() -> PostOfficeData {
    let mut d = PostOfficeData::new("ACME", "HQ");
    d.serial = 10_203;
    d.local_template = vec![
        field("Phone:", 12, "NP", "P"),
        field("Office:", 10, "A", ""),
    ];
    let mut admin = LocalUser::new("ADMIN", "Administrator");
    admin.admin = true;
    let mut jdoe = LocalUser::new("JDOE", "Doe, John");
    jdoe.template = vec![tv("Phone:", "555-0100"), tv("Office:", "B12")];
    let mut max = LocalUser::new("MMULLER", "Müller, Max");
    max.excluded = true;
    max.template = vec![tv("Office:", "Zürich")];
    d.users = vec![admin, jdoe, max, LocalUser::new("ZED", "zed, Zoë")];

    let mut staff = usr("Branch Staff", "STAFF");
    staff.kind = EntryKind::Group;
    let mut alice = usr("Smith, Alice", "ASMITH");
    alice.template = vec![tv("Dept:", "Sales")];
    d.networks = vec![
        NetworkData {
            name: "ACME".into(),
            kind: network_kind::MSMAIL,
            address_type: "PCM".into(),
            xtn_prefix: None,
            postoffices: vec![
                ExternalPostOffice {
                    name: "BRANCH".into(),
                    mailbag: None,
                    connection: 1,
                    route: "M:\\BRANCH\\MAILDATA".into(),
                    dirsync: true,
                    last_update: 790_000_000,
                    template: vec![field("Dept:", 8, "A", "")],
                    entries: vec![alice, usr("Jones, Bob", "BJONES"), staff],
                },
                ExternalPostOffice {
                    name: "FAR".into(),
                    mailbag: None,
                    connection: 3,
                    route: "BRANCH".into(),
                    dirsync: false,
                    last_update: 0,
                    template: Vec::new(),
                    entries: vec![usr("Far Away", "FARAWAY")],
                },
            ],
        },
        NetworkData {
            name: "SNADSGW".into(),
            kind: network_kind::GATEWAY_101010,
            address_type: "SNADS".into(),
            xtn_prefix: None,
            postoffices: vec![ExternalPostOffice {
                name: "DGN1".into(),
                mailbag: None,
                connection: 5,
                route: String::new(),
                dirsync: false,
                last_update: 0,
                template: Vec::new(),
                entries: vec![usr("Doe, John (SNADS)", "JOHNDOE")],
            }],
        },
        NetworkData {
            name: "SMTPGW".into(),
            kind: network_kind::GATEWAY_OTHER,
            address_type: "SMTP".into(),
            xtn_prefix: None,
            postoffices: Vec::new(),
        },
    ];
    let alice_addr = Address::pcm("ACME", "BRANCH", "ASMITH");
    let snads = Address {
        type_name: "SNADS".into(),
        body: "SNADSGW/DGN1/JOHNDOE".into(),
    };
    d.pol_externals = vec![
        ListEntry {
            full_name: "Smith, Alice".into(),
            address: alice_addr.clone(),
        },
        ListEntry {
            full_name: "Doe, John (SNADS)".into(),
            address: snads.clone(),
        },
    ];
    d.groups = vec![LocalGroup {
        name: "Sales Team".into(),
        mailbox: "SALES".into(),
        tid: None,
        members: vec![
            d.local_address("JDOE"),
            d.local_address("MMULLER"),
            alice_addr.clone(),
        ],
    }];
    d.gal = vec![
        ListEntry {
            full_name: "Doe, John".into(),
            address: d.local_address("JDOE"),
        },
        ListEntry {
            full_name: "Sales Team".into(),
            address: d.local_address("SALES"),
        },
        ListEntry {
            full_name: "Smith, Alice".into(),
            address: alice_addr,
        },
        ListEntry {
            full_name: "Jones, Bob".into(),
            address: Address::pcm("ACME", "BRANCH", "BJONES"),
        },
        ListEntry {
            full_name: "Doe, John (SNADS)".into(),
            address: snads,
        },
    ];
    d
}
