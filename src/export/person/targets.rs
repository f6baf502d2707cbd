//! The standard attributes template prompts map to ([`TARGETS`]): their
//! LDAP, AD and Exchange names, value syntax and length limits, and look-ups
//! by name.

use super::Schema;

/// How a value of an attribute must look for the server to accept it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Any non-empty text (directoryString).
    Text,
    /// LDAP telephoneNumber / facsimileTelephoneNumber syntax: PrintableString
    /// characters only (letters, digits, blank and `'()+,-./:?=`).
    Telephone,
}

impl Syntax {
    /// Does `v` fit the syntax (and is it non-empty)?
    pub fn accepts(self, v: &str) -> bool {
        if v.trim().is_empty() {
            return false;
        }
        match self {
            Syntax::Text => true,
            Syntax::Telephone => v
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " '()+,-./:?=".contains(c)),
        }
    }
}

/// One standard attribute a template prompt can be mapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// Short name used in docs and errors (`phone`, `city`, ...).
    pub key: &'static str,
    /// The attribute of the stock OpenLDAP schemas (core, cosine,
    /// inetorgperson) on `inetOrgPerson`; `None` when there is none.
    pub ldap: Option<&'static str>,
    /// The attribute of the stock AD schema on `contact`; `None` when none.
    pub ad: Option<&'static str>,
    /// The Exchange 4.0–5.5 directory-import column; `None` when none.
    pub exchange: Option<&'static str>,
    /// The prompt a value of this attribute reads back with.
    pub prompt: &'static str,
    /// Value syntax in OpenLDAP (AD takes any text).
    pub ldap_syntax: Syntax,
    /// Longest value AD accepts (its schema's rangeUpper), in characters.
    pub ad_max: usize,
    /// Normalised prompts mapped here by default (see [`normalize_prompt`](super::normalize_prompt)).
    pub synonyms: &'static [&'static str],
}

/// Every attribute msmail maps template data to, in output order.
pub const TARGETS: &[Target] = &[
    Target {
        key: "phone",
        ldap: Some("telephoneNumber"),
        ad: Some("telephoneNumber"),
        exchange: Some("Telephone-Office1"),
        prompt: "Phone:",
        ldap_syntax: Syntax::Telephone,
        ad_max: 64,
        synonyms: &[
            "phone",
            "telephone",
            "tel",
            "phone number",
            "phone no",
            "telephone number",
            "work phone",
            "office phone",
            "business phone",
            "voice",
        ],
    },
    Target {
        key: "fax",
        ldap: Some("facsimileTelephoneNumber"),
        ad: Some("facsimileTelephoneNumber"),
        exchange: Some("Telephone-Fax"),
        prompt: "Fax:",
        ldap_syntax: Syntax::Telephone,
        ad_max: 64,
        synonyms: &["fax", "fax number", "fax no", "fax phone", "facsimile"],
    },
    Target {
        key: "mobile",
        ldap: Some("mobile"),
        ad: Some("mobile"),
        exchange: Some("Telephone-Mobile"),
        prompt: "Mobile:",
        ldap_syntax: Syntax::Telephone,
        ad_max: 64,
        synonyms: &["mobile", "mobile phone", "cell", "cell phone", "cellular"],
    },
    Target {
        key: "home-phone",
        ldap: Some("homePhone"),
        ad: Some("homePhone"),
        exchange: Some("Telephone-Home"),
        prompt: "Home Phone:",
        ldap_syntax: Syntax::Telephone,
        ad_max: 64,
        synonyms: &["home phone", "home telephone", "home"],
    },
    Target {
        key: "pager",
        ldap: Some("pager"),
        ad: Some("pager"),
        exchange: Some("Telephone-Pager"),
        prompt: "Pager:",
        ldap_syntax: Syntax::Telephone,
        ad_max: 64,
        synonyms: &["pager", "beeper"],
    },
    Target {
        key: "title",
        ldap: Some("title"),
        ad: Some("title"),
        exchange: Some("Title"),
        prompt: "Title:",
        ldap_syntax: Syntax::Text,
        ad_max: 128,
        synonyms: &["title", "job title", "position"],
    },
    Target {
        key: "department",
        ldap: Some("departmentNumber"),
        ad: Some("department"),
        exchange: Some("Department"),
        prompt: "Department:",
        ldap_syntax: Syntax::Text,
        ad_max: 64,
        synonyms: &["department", "dept"],
    },
    Target {
        key: "company",
        ldap: Some("o"),
        ad: Some("company"),
        exchange: Some("Company"),
        prompt: "Company:",
        ldap_syntax: Syntax::Text,
        ad_max: 64,
        synonyms: &["company", "organization", "organisation"],
    },
    Target {
        key: "office",
        ldap: Some("physicalDeliveryOfficeName"),
        ad: Some("physicalDeliveryOfficeName"),
        exchange: Some("Office"),
        prompt: "Office:",
        ldap_syntax: Syntax::Text,
        ad_max: 128,
        synonyms: &["office", "location", "office location", "building"],
    },
    Target {
        key: "street",
        ldap: Some("street"),
        ad: Some("streetAddress"),
        exchange: Some("Address"),
        prompt: "Street:",
        ldap_syntax: Syntax::Text,
        ad_max: 1024,
        synonyms: &["street", "street address", "address"],
    },
    Target {
        key: "po-box",
        ldap: Some("postOfficeBox"),
        ad: Some("postOfficeBox"),
        exchange: None,
        prompt: "P.O. Box:",
        ldap_syntax: Syntax::Text,
        ad_max: 40,
        synonyms: &["po box", "post office box"],
    },
    Target {
        key: "city",
        ldap: Some("l"),
        ad: Some("l"),
        exchange: Some("City"),
        prompt: "City:",
        ldap_syntax: Syntax::Text,
        ad_max: 128,
        synonyms: &["city", "town", "locality"],
    },
    Target {
        key: "state",
        ldap: Some("st"),
        ad: Some("st"),
        exchange: Some("State"),
        prompt: "State:",
        ldap_syntax: Syntax::Text,
        ad_max: 128,
        synonyms: &["state", "st", "province", "state/province"],
    },
    Target {
        key: "zip",
        ldap: Some("postalCode"),
        ad: Some("postalCode"),
        exchange: Some("Postal-Code"),
        prompt: "Zip:",
        ldap_syntax: Syntax::Text,
        ad_max: 40,
        synonyms: &[
            "zip",
            "zip code",
            "zipcode",
            "postal code",
            "postcode",
            "post code",
        ],
    },
    Target {
        key: "country",
        // `c` in the core schema takes two-letter codes only.
        ldap: None,
        ad: Some("co"),
        exchange: Some("Country"),
        prompt: "Country:",
        ldap_syntax: Syntax::Text,
        ad_max: 128,
        synonyms: &["country"],
    },
    Target {
        key: "employee-id",
        ldap: Some("employeeNumber"),
        ad: Some("employeeID"),
        exchange: None,
        prompt: "Employee ID:",
        ldap_syntax: Syntax::Text,
        ad_max: 16,
        synonyms: &["employee id", "employee number", "employee no"],
    },
];
/// The index in [`TARGETS`] of an attribute named by its LDAP or AD name,
/// Exchange column or key (case-insensitive).
pub fn target_index(name: &str) -> Option<usize> {
    TARGETS.iter().position(|t| {
        [Some(t.key), t.ldap, t.ad, t.exchange]
            .into_iter()
            .flatten()
            .any(|n| n.eq_ignore_ascii_case(name))
    })
}

/// The target whose attribute (in `schema`) is `attr` (case-insensitive).
pub fn target_of_attribute(attr: &str, schema: Schema) -> Option<&'static Target> {
    TARGETS.iter().find(|t| {
        let name = match schema {
            Schema::Openldap => t.ldap,
            Schema::Ad => t.ad,
        };
        name.is_some_and(|n| n.eq_ignore_ascii_case(attr))
    })
}

/// The template values a record's attributes carry (those `schema` maps to
/// a target), each with its target's position in [`TARGETS`], in that order:
/// what the LDIF and AD readers merge with the values kept in `description`.
pub fn mapped_template_values(
    attrs: &[(String, String)],
    schema: Schema,
) -> Vec<(usize, crate::model::TemplateValue)> {
    let mut mapped: Vec<(usize, crate::model::TemplateValue)> = attrs
        .iter()
        .filter_map(|(a, v)| {
            let t = target_of_attribute(a, schema)?;
            let pos = TARGETS.iter().position(|x| x.key == t.key).unwrap_or(0);
            Some((
                pos,
                crate::model::TemplateValue {
                    prompt: crate::model::Prompt::intern(t.prompt),
                    value: v.clone().into(),
                },
            ))
        })
        .collect();
    mapped.sort_by_key(|(p, _)| *p);
    mapped
}

/// The LDAP and AD attribute names of every target, for messages.
pub(super) fn known_attribute_names() -> String {
    let mut names: Vec<&str> = TARGETS
        .iter()
        .flat_map(|t| [t.ldap, t.ad])
        .flatten()
        .collect();
    names.sort_unstable();
    names.dedup();
    names.join(", ")
}
