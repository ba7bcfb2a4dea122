//! CPR parsing: never panics, and a parsed number never prints in full through Display or Debug.
#![no_main]
use libfuzzer_sys::fuzz_target;
use kadence_core::cpr::Cpr;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    if let Ok(c) = Cpr::parse(s) {
        let full = c.reveal();
        assert_eq!(Cpr::parse(&full), Ok(c));
        // The masked forms are exactly the birth-date digits and "-xxxx" (not "does not contain the
        // serial": the serial's digits may also occur in the birth date, e.g. 121222-1222).
        assert_eq!(format!("{c}"), format!("{}-xxxx", &full[..6]));
        assert_eq!(format!("{c:?}"), format!("Cpr({}-xxxx)", &full[..6]));
        assert!(c.birth_date().is_some());
    }
});
