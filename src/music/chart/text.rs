//! Chart text, as a player types it: `| C7 | F7 | C7 | % |`. Parsing is all or nothing: an
//! error names the bar as written and the symbol, and no half-read chart comes back. Any
//! thread; it allocates.

use std::fmt;
use std::str::FromStr;

use super::symbol::chord_or_why;
use super::{Chart, ChartChord, BEATS_PER_BAR};
use crate::music::encoding::MAX_BARS;

/// Why a chart text was refused: the bar as written (1-based, before repeats are played out)
/// and the symbol, where the trouble is in one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChartError {
    pub bar: Option<usize>,
    pub symbol: Option<String>,
    /// What is wrong, in a player's words.
    pub message: String,
}

impl ChartError {
    fn in_bar(bar: usize, symbol: &str, message: impl Into<String>) -> Self {
        Self { bar: Some(bar), symbol: Some(symbol.to_owned()), message: message.into() }
    }

    fn whole_chart(message: impl Into<String>) -> Self {
        Self { bar: None, symbol: None, message: message.into() }
    }
}

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.bar, &self.symbol) {
            (Some(bar), Some(symbol)) => write!(f, "bar {bar}, \"{symbol}\": {}", self.message),
            (Some(bar), None) => write!(f, "bar {bar}: {}", self.message),
            (None, Some(symbol)) => write!(f, "\"{symbol}\": {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ChartError {}

/// What a chart text is made of, line breaks gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token<'a> {
    BarLine,
    RepeatStart,
    RepeatEnd,
    Word(&'a str),
}

/// Splits one line into bar lines, repeat signs and words ("|:C7" and "F7:|" need no spaces).
fn tokens(line: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix(":|") {
            out.extend([Token::RepeatEnd, Token::BarLine]);
            rest = after;
            // ":|:" ends one repeat and starts the next.
            if let Some(after) = rest.strip_prefix(':') {
                out.push(Token::RepeatStart);
                rest = after;
            }
        } else if let Some(after) = rest.strip_prefix("|:") {
            out.extend([Token::BarLine, Token::RepeatStart]);
            rest = after;
        } else if let Some(after) = rest.strip_prefix('|') {
            out.push(Token::BarLine);
            rest = after;
        } else if rest.is_empty() {
            return out;
        } else {
            let end = rest
                .char_indices()
                .find(|&(i, c)| c.is_whitespace() || c == '|' || rest[i..].starts_with(":|"))
                .map_or(rest.len(), |(i, _)| i);
            out.push(Token::Word(&rest[..end]));
            rest = &rest[end..];
        }
    }
}

/// Reads chart text: bars between `|`, one to four chords a bar (one holds the bar, two take
/// half each, three are two beats then one and one, four are one a beat), `%` for the bar
/// before, `|: … :|` played twice, `#` comment lines. Line breaks are not bar lines; empty bars
/// (`||`, a bar line at both ends of a line) are nothing. The chart plays 1 to `MAX_BARS` bars.
pub fn parse(text: &str) -> Result<Chart, ChartError> {
    let mut reader = ChartReader::default();
    let lines = text.lines().filter(|line| !line.trim_start().starts_with('#'));
    for token in lines.flat_map(tokens) {
        match token {
            Token::Word(word) => reader.words.push(word),
            Token::BarLine => reader.close_bar()?,
            Token::RepeatStart => reader.open_repeat()?,
            Token::RepeatEnd => reader.close_repeat()?,
        }
    }
    reader.close_bar()?;
    if let Some((_, bar)) = reader.open_repeat {
        return Err(ChartError::in_bar(bar, "|:", "this repeat is never closed with :|"));
    }
    match reader.played.len() {
        0 => Err(ChartError::whole_chart("the chart has no bars")),
        1..=MAX_BARS => Ok(Chart { bars: reader.played }),
        n => Err(ChartError::whole_chart(format!(
            "the chart plays {n} bars with its repeats; a chart holds at most {MAX_BARS}"
        ))),
    }
}

/// The bars read so far, repeats already played out.
#[derive(Default)]
struct ChartReader<'a> {
    played: Vec<[ChartChord; BEATS_PER_BAR]>,
    /// The words of the bar being read.
    words: Vec<&'a str>,
    /// Bars written so far (the number an error names).
    written: usize,
    /// Where an open `|:` starts, in `played`, and the bar number it was written before.
    open_repeat: Option<(usize, usize)>,
    /// Where a `:|` with no `|:` goes back to: the start, or just after the last repeat.
    repeat_from: usize,
}

impl ChartReader<'_> {
    fn close_bar(&mut self) -> Result<(), ChartError> {
        if self.words.is_empty() {
            return Ok(());
        }
        self.written += 1;
        let bar = self.written;
        let words = std::mem::take(&mut self.words);
        let whole = words.join(" ");
        let beats = if words.contains(&"%") {
            if words.len() > 1 {
                return Err(ChartError::in_bar(bar, &whole, "% stands alone in its bar"));
            }
            *self
                .played
                .last()
                .ok_or_else(|| ChartError::in_bar(bar, "%", "% repeats the bar before, and there is none"))?
        } else {
            let mut chords = Vec::with_capacity(words.len());
            for word in &words {
                let squashed: String = word.chars().filter(|c| *c != '.').collect();
                if squashed.eq_ignore_ascii_case("nc") {
                    let why = "no chord (N.C.) is not played yet: write the chord the band should hold";
                    return Err(ChartError::in_bar(bar, word, why));
                }
                chords.push(chord_or_why(word).map_err(|why| ChartError::in_bar(bar, word, why))?);
            }
            match chords[..] {
                [a] => [a; 4],
                [a, b] => [a, a, b, b],
                [a, b, c] => [a, a, b, c],
                [a, b, c, d] => [a, b, c, d],
                _ => {
                    let why = format!("{} chords; a bar holds one to four (one a beat)", chords.len());
                    return Err(ChartError::in_bar(bar, &whole, why));
                }
            }
        };
        self.played.push(beats);
        Ok(())
    }

    fn open_repeat(&mut self) -> Result<(), ChartError> {
        self.close_bar()?;
        if let Some((_, bar)) = self.open_repeat {
            let why = "a repeat opens before the one opened here is closed with :|";
            return Err(ChartError::in_bar(bar, "|:", why));
        }
        self.open_repeat = Some((self.played.len(), self.written + 1));
        Ok(())
    }

    fn close_repeat(&mut self) -> Result<(), ChartError> {
        self.close_bar()?;
        let from = self.open_repeat.take().map_or(self.repeat_from, |(from, _)| from);
        if from == self.played.len() {
            return Err(ChartError::in_bar(self.written.max(1), ":|", "a repeat with no bars in it"));
        }
        self.played.extend_from_within(from..);
        self.repeat_from = self.played.len();
        Ok(())
    }
}

impl Chart {
    /// The chart as text `parse` reads back to the same chart: four bars a line, `%` for a
    /// bar like the one before, each bar in as few chords as say it.
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        for (line_start, line) in (0..).step_by(4).zip(self.bars.chunks(4)) {
            let cells: Vec<String> = (line_start..)
                .zip(line)
                .map(|(i, bar)| if i > 0 && self.bars[i - 1] == *bar { "%".to_owned() } else { bar_text(bar) })
                .collect();
            text.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        text
    }
}

/// One bar's chords, as few as say its four beats.
fn bar_text(bar: &[ChartChord; BEATS_PER_BAR]) -> String {
    let [a, b, c, d] = bar;
    let chords = if a == b && b == c && c == d {
        vec![a]
    } else if a == b && c == d {
        vec![a, c]
    } else if a == b {
        vec![a, c, d]
    } else {
        vec![a, b, c, d]
    };
    chords.iter().map(|chord| chord.name()).collect::<Vec<_>>().join(" ")
}

impl FromStr for Chart {
    type Err = ChartError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music::chart::Quality;

    fn chord(root: u8, quality: Quality) -> ChartChord {
        ChartChord::new(root, quality)
    }

    fn bars(text: &str) -> Vec<[ChartChord; 4]> {
        parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}")).bars
    }

    #[test]
    fn one_to_four_chords_share_the_bar_as_players_mean() {
        let (c, f, g, a) =
            (chord(0, Quality::Maj7), chord(5, Quality::Dom7), chord(7, Quality::Dom7), chord(9, Quality::Min7));
        assert_eq!(bars("| Cmaj7 |"), vec![[c; 4]]);
        assert_eq!(bars("| Cmaj7 F7 |"), vec![[c, c, f, f]]);
        assert_eq!(bars("| Cmaj7 F7 G7 |"), vec![[c, c, f, g]]);
        assert_eq!(bars("| Cmaj7 F7 G7 Am7 |"), vec![[c, f, g, a]]);
        let err = parse("| C7 | C F G A Bb |").unwrap_err();
        assert_eq!((err.bar, err.symbol.as_deref()), (Some(2), Some("C F G A Bb")));
        assert!(err.to_string().contains("5 chords"), "{err}");
    }

    #[test]
    fn percent_repeats_the_bar_before_but_not_in_the_first_bar() {
        let (c, f) = (chord(0, Quality::Dom7), chord(5, Quality::Dom7));
        assert_eq!(bars("| C7 F7 | % | F7 | % |"), vec![[c, c, f, f], [c, c, f, f], [f; 4], [f; 4]]);
        let err = parse("| % | C7 |").unwrap_err();
        assert_eq!((err.bar, err.symbol.as_deref()), (Some(1), Some("%")));
        let err = parse("| C7 | % F7 |").unwrap_err();
        assert_eq!(err.bar, Some(2));
    }

    #[test]
    fn repeats_are_played_twice() {
        let (c, f, g) = (chord(0, Quality::Dom7), chord(5, Quality::Dom7), chord(7, Quality::Dom7));
        assert_eq!(bars("| C7 |: F7 | G7 :| C7 |"), vec![[c; 4], [f; 4], [g; 4], [f; 4], [g; 4], [c; 4]]);
        assert_eq!(bars("|:C7|F7:|"), vec![[c; 4], [f; 4], [c; 4], [f; 4]], "no spaces needed");
        // A :| with no |: goes back to the start, or to just after the last repeat.
        assert_eq!(bars("| C7 :| F7 :|"), vec![[c; 4], [c; 4], [f; 4], [f; 4]]);
        assert_eq!(bars("|: C7 :|: F7 :|"), vec![[c; 4], [c; 4], [f; 4], [f; 4]]);
        // % after a repeat is the bar just played.
        assert_eq!(bars("|: C7 | F7 :| % |"), vec![[c; 4], [f; 4], [c; 4], [f; 4], [f; 4]]);
    }

    #[test]
    fn broken_repeats_are_refused_naming_the_bar() {
        let err = parse("| C7 |: F7 | G7 |").unwrap_err();
        assert_eq!((err.bar, err.symbol.as_deref()), (Some(2), Some("|:")));
        let err = parse("|: C7 | F7 |: G7 :|").unwrap_err();
        assert_eq!(err.bar, Some(1), "{err}");
        let err = parse("| C7 |: :| F7 |").unwrap_err();
        assert_eq!((err.bar, err.symbol.as_deref()), (Some(1), Some(":|")));
    }

    #[test]
    fn comments_line_breaks_and_double_bars_are_not_bars() {
        let text = "# title: Blues in F\n# a comment\n| F7 | Bb7 | F7 |\n| % ||\n\n  || Bb7 |\n| Bb7 | F7 | F7 |";
        assert_eq!(parse(text).unwrap().len(), 8);
        // A line break inside a bar joins its chords.
        assert_eq!(bars("| C7\n F7 |"), bars("| C7 F7 |"));
        assert_eq!(bars("C7 | F7"), bars("| C7 | F7 |"), "outer bar lines are optional");
    }

    #[test]
    fn errors_name_the_bar_as_written_and_the_symbol() {
        // Bar numbers count written bars: the repeat and the comment do not shift them.
        let err = parse("# x\n|: C7 | F7 :|\n| C7 | Gx7 |").unwrap_err();
        assert_eq!((err.bar, err.symbol.as_deref()), (Some(4), Some("Gx7")));
        let shown = err.to_string();
        assert!(shown.contains("bar 4") && shown.contains("Gx7"), "{shown}");
        let err = parse("| C7 | N.C. |").unwrap_err();
        assert_eq!((err.bar, err.symbol.as_deref()), (Some(2), Some("N.C.")));
        assert!(err.to_string().contains("no chord"), "{err}");
        let boxed: Box<dyn std::error::Error> = Box::new(err);
        assert!(boxed.to_string().starts_with("bar 2"));
    }

    #[test]
    fn a_chart_plays_one_to_sixty_four_bars() {
        assert!(parse("").unwrap_err().to_string().contains("no bars"));
        assert!(parse("# only a comment\n||").is_err());
        let bars_of = |n: usize| "| C7 ".repeat(n);
        assert_eq!(parse(&bars_of(MAX_BARS)).unwrap().len(), MAX_BARS);
        let err = parse(&bars_of(MAX_BARS + 1)).unwrap_err();
        assert!(err.to_string().contains("65 bars") && err.to_string().contains("64"), "{err}");
        // The limit counts the bars played, repeats and all.
        let err = parse(&format!("|: {} :|", bars_of(33))).unwrap_err();
        assert!(err.to_string().contains("66 bars"), "{err}");
    }

    #[test]
    fn text_written_reads_back_as_the_same_chart() {
        let text = "| F7 | Bb7 | F7 | % |\n| Bb7 | Bdim7 | F7 D7/F# | Gm7 C7 |\n\
                    | Am7b5 D7alt | Gm7 C7 G7 | F6 D7 E7 Ebmaj7 | Gø C7b9 |";
        let chart = parse(text).unwrap();
        let written = "| F7 | Bb7 | F7 | % |\n| Bb7 | Bdim7 | F7 D7/Gb | Gm7 C7 |\n\
                       | Am7b5 D7alt | Gm7 C7 G7 | F6 D7 E7 Ebmaj7 | Gm7b5 C7b9 |\n";
        assert_eq!(chart.to_text(), written, "flats for black keys, one spelling a quality");
        assert_eq!(parse(&chart.to_text()), Ok(chart.clone()));
        assert_eq!(chart.to_text().parse::<Chart>(), Ok(chart.clone()));
        // Every quality, root and beat pattern survives the trip.
        let all: Vec<ChartChord> = Quality::ALL.iter().enumerate().map(|(i, &q)| chord(i as u8 * 5, q)).collect();
        let mut bars = Vec::new();
        for w in all.windows(4) {
            bars.extend([[w[0]; 4], [w[0], w[0], w[1], w[1]], [w[0], w[0], w[1], w[2]], [w[0], w[1], w[2], w[3]]]);
            bars.push([w[0], w[1], w[1], w[1]]);
        }
        bars.truncate(MAX_BARS);
        let chart = Chart { bars };
        assert_eq!(parse(&chart.to_text()), Ok(chart));
    }
}
