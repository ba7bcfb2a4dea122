//! Encoding detection, double-decoding repair, separator detection and Danish dates.
#![no_main]
use libfuzzer_sys::fuzz_target;
use kadence_import::text;

fuzz_target!(|data: &[u8]| {
    let (s, _) = text::decode(data);
    if let Some(r) = text::repair_mojibake(&s) {
        // A repair always gives valid, different text.
        assert_ne!(r, s);
    }
    let _ = text::detect_separator(&s);
    if let Some(d) = text::parse_date(&s) {
        // Every parsed date round-trips through its ISO form.
        assert_eq!(text::parse_date(&d.to_string()), Some(d));
    }
    let _ = text::normalise_header(&s);
});
