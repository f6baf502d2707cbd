//! Unit tests of name splitting and attribute mapping.

use super::names::is_initial;
use super::*;
use crate::model::Address;

fn name(s: &str) -> (String, Option<String>, Option<String>) {
    let n = split_name(s).unwrap();
    (n.surname, n.given, n.initials)
}

fn o(s: &str) -> Option<String> {
    Some(s.to_string())
}

#[test]
fn last_comma_first() {
    assert_eq!(name("Jäger, Anna"), ("Jäger".into(), o("Anna"), None));
    assert_eq!(name("Doe, John D."), ("Doe".into(), o("John"), o("D.")));
    assert_eq!(name("Doe, J. R."), ("Doe".into(), o("J."), o("R.")));
    assert_eq!(
        name("Jäger, Anna Maria"),
        ("Jäger".into(), o("Anna Maria"), None)
    );
    assert_eq!(name("Smith, John, Jr."), ("Smith".into(), o("John"), None));
    assert_eq!(name("Doe,"), ("Doe".into(), None, None));
    assert_eq!(
        name("van der Berg, Jan"),
        ("van der Berg".into(), o("Jan"), None)
    );
}

#[test]
fn first_last_and_single_words() {
    assert_eq!(name("John D. Doe"), ("Doe".into(), o("John"), o("D.")));
    assert_eq!(
        name("Mary Ann Smith"),
        ("Smith".into(), o("Mary Ann"), None)
    );
    assert_eq!(
        name("  Administrator "),
        ("Administrator".into(), None, None)
    );
    assert_eq!(name(",Anna"), ("Anna".into(), None, None));
    assert_eq!(name("J.R. Ewing"), ("Ewing".into(), o("J.R."), None));
    assert_eq!(
        name("Mike J.R. Ewing"),
        ("Ewing".into(), o("Mike"), o("J.R."))
    );
    assert_eq!(split_name("   "), None);
    assert!(is_initial("D") && is_initial("Ö.") && !is_initial("Dr") && !is_initial("D.r"));
}

fn entry(values: &[(&str, &str)]) -> Entry {
    let mut e = Entry::new("A", Address::parse("PCM:N/P/A").unwrap());
    e.template = values
        .iter()
        .map(|(p, v)| TemplateValue {
            prompt: (*p).into(),
            value: (*v).into(),
        })
        .collect();
    e
}

#[test]
fn standard_rules_map_the_usual_prompts() {
    let e = entry(&[
        ("City/ST/Zip:", "Any City, 12345"),
        ("Phone #:", "+41 44 555 12 12"),
        ("Phone:", "second"),
        ("Department:", "Sales"),
        ("Fax:", "555#1"),
        ("Country:", "Schweiz"),
        ("Title:", ""),
    ]);
    let m = AttributeMap::standard().map(&e, Schema::Openldap);
    let mapped: Vec<(&str, &str)> = m
        .mapped
        .iter()
        .map(|(t, v)| (t.ldap.unwrap(), *v))
        .collect();
    assert_eq!(
        mapped,
        vec![
            ("telephoneNumber", "+41 44 555 12 12"),
            ("departmentNumber", "Sales")
        ]
    );
    let kept: Vec<usize> = m.kept.iter().map(|(i, _)| *i).collect();
    // City/ST/Zip (no rule), the second phone, a fax with `#` (not a
    // PrintableString), Country (no LDAP attribute), an empty title.
    assert_eq!(kept, vec![0, 2, 4, 5, 6]);
    let ad = AttributeMap::standard().map(&e, Schema::Ad);
    let names: Vec<&str> = ad.mapped.iter().map(|(t, _)| t.ad.unwrap()).collect();
    assert_eq!(
        names,
        vec![
            "telephoneNumber",
            "facsimileTelephoneNumber",
            "department",
            "co"
        ]
    );
    assert_eq!(AttributeMap::none().map(&e, Schema::Ad).kept.len(), 7);
}

#[test]
fn map_files_override_and_name_their_errors() {
    let m = AttributeMap::parse(
        "# mine\n\nCost Center: = departmentNumber\nPhone #: = -\nA=B: = title\n",
        "m.map",
    )
    .unwrap();
    let e = entry(&[("Cost Center:", "42"), ("Phone #:", "1"), ("A=B:", "x")]);
    let r = m.map(&e, Schema::Ad);
    let names: Vec<&str> = r.mapped.iter().map(|(t, _)| t.ad.unwrap()).collect();
    assert_eq!(names, vec!["title", "department"]);
    assert_eq!(r.kept.len(), 1);
    let err = AttributeMap::parse("X: = favouriteColour\n", "m.map").unwrap_err();
    assert!(
        err.to_string().starts_with("m.map: line 1, column 6:"),
        "{err}"
    );
    let err = AttributeMap::parse("\nno equals\n", "m.map").unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
    assert_eq!(normalize_prompt(" P.O.  Box: "), "po box");
    assert_eq!(
        target_of_attribute("L", Schema::Openldap).unwrap().key,
        "city"
    );
}
