//! `--chart`: a chart text file, a MusicXML lead sheet (.musicxml, .xml, .mxl), or, when no such
//! file exists, the chart itself as text ("| C7 | F7 | C7 | % |").

use blues_lstm::music::chart::{self, Chart};
use blues_lstm::music::lead_sheet::chart_from_musicxml;
use std::path::Path;

/// The chart `value` names or is.
pub fn read_chart(value: &str) -> Result<Chart, String> {
    let path = Path::new(value);
    if !path.is_file() {
        if !value.contains('|') {
            return Err(format!(
                "--chart {value}: no such file, and not a chart either (bars are separated by '|', e.g. \"| C7 | F7 | C7 | % |\")"
            ));
        }
        return chart::parse(value).map_err(|e| format!("--chart: {e}"));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if matches!(extension.as_str(), "musicxml" | "xml" | "mxl") {
        return chart_from_musicxml(&bytes).map_err(|e| format!("{}: {e}", path.display()));
    }
    let text = String::from_utf8(bytes).map_err(|_| format!("{}: not a text file", path.display()))?;
    chart::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}
