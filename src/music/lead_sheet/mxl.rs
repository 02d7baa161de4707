//! Compressed MusicXML (.mxl): a zip whose META-INF/container.xml names the score inside, and
//! the text encodings MusicXML files come in.

use std::io::{Cursor, Read};

/// The most MusicXML text read out of an .mxl: far above any lead sheet, far below a zip bomb.
const MAX_XML_BYTES: u64 = 64 << 20;

/// The MusicXML file an .mxl's META-INF/container.xml names as its score.
pub(super) fn root_file_of_mxl(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("not a readable .mxl (a zip archive): {e}"))?;
    let container = read_entry(&mut archive, "META-INF/container.xml")?;
    let container = decode_text(&container)?;
    let doc = roxmltree::Document::parse(&container).map_err(|e| format!("the .mxl's container.xml: {e}"))?;
    // The score is the first MusicXML rootfile (an untyped one counts); others may be renderings (a PDF).
    let path = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "rootfile")
        .find(|n| n.attribute("media-type").is_none_or(|t| t == "application/vnd.recordare.musicxml+xml"))
        .and_then(|n| n.attribute("full-path"))
        .ok_or("the .mxl's container.xml names no MusicXML root file")?;
    read_entry(&mut archive, path)
}

fn read_entry(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Vec<u8>, String> {
    let entry = archive.by_name(name).map_err(|e| format!("the .mxl has no readable {name}: {e}"))?;
    let mut out = Vec::new();
    entry.take(MAX_XML_BYTES + 1).read_to_end(&mut out).map_err(|e| format!("the .mxl's {name}: {e}"))?;
    if out.len() as u64 > MAX_XML_BYTES {
        return Err(format!("the .mxl's {name} unpacks to more than {} MiB", MAX_XML_BYTES >> 20));
    }
    Ok(out)
}

/// XML text from its bytes: UTF-8 (with or without a byte-order mark) or UTF-16 with one.
pub(super) fn decode_text(bytes: &[u8]) -> Result<String, String> {
    let utf16 = |bytes: &[u8], unit: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]])).collect();
        String::from_utf16(&units).map_err(|_| "the file is not valid UTF-16 text".to_owned())
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        utf16(rest, u16::from_be_bytes)
    } else {
        let rest = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        String::from_utf8(rest.to_vec()).map_err(|_| "the file is not UTF-8 text".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const SCORE: &[u8] = b"<?xml version=\"1.0\"?><score-partwise version=\"4.0\"/>";

    /// An .mxl as notation programs write it: `mimetype` stored first, the rest deflated.
    fn mxl(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("mimetype", stored).unwrap();
        zip.write_all(b"application/vnd.recordare.musicxml").unwrap();
        for (name, bytes) in files {
            zip.start_file(*name, deflated).unwrap();
            zip.write_all(bytes).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn the_container_names_the_score_and_a_pdf_beside_it_is_not_it() {
        let container = br#"<?xml version="1.0" encoding="UTF-8"?>
<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>
  <rootfile full-path="render/tune.pdf" media-type="application/pdf"/>
  <rootfile full-path="score/tune.musicxml" media-type="application/vnd.recordare.musicxml+xml"/>
</rootfiles></container>"#;
        let bytes = mxl(&[("META-INF/container.xml", container), ("score/tune.musicxml", SCORE)]);
        assert_eq!(root_file_of_mxl(&bytes), Ok(SCORE.to_vec()));
    }

    #[test]
    fn an_mxl_missing_its_container_or_its_score_is_refused_naming_what() {
        let err = root_file_of_mxl(&mxl(&[("tune.musicxml", SCORE)])).unwrap_err();
        assert!(err.contains("META-INF/container.xml"), "{err}");
        let container = br#"<container><rootfiles><rootfile full-path="gone.musicxml"/></rootfiles></container>"#;
        let err = root_file_of_mxl(&mxl(&[("META-INF/container.xml", container)])).unwrap_err();
        assert!(err.contains("gone.musicxml"), "{err}");
        let err = root_file_of_mxl(b"PK\x03\x04 not really a zip").unwrap_err();
        assert!(err.contains(".mxl"), "{err}");
    }

    #[test]
    fn text_is_utf8_with_or_without_a_mark_or_utf16_with_one() {
        let text = "<a>Blues für Alice</a>";
        assert_eq!(decode_text(text.as_bytes()).as_deref(), Ok(text));
        assert_eq!(decode_text(&[b"\xEF\xBB\xBF", text.as_bytes()].concat()).as_deref(), Ok(text));
        let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let be: Vec<u8> = [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(decode_text(&le).as_deref(), Ok(text));
        assert_eq!(decode_text(&be).as_deref(), Ok(text));
        assert!(decode_text(b"\xFF\xFF not text").is_err());
    }
}
