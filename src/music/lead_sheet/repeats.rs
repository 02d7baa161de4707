//! Repeats played out: the order a player reads the measures in, through `|: :|`, `times`,
//! volta brackets and repeats inside repeats.

use std::ops::Range;

use super::Measure;
use crate::music::encoding::MAX_BARS;

/// A stretch being repeated: where a `:|` goes back to, and which time through this is.
#[derive(Clone, Copy)]
struct Section {
    start: usize,
    pass: u32,
}

/// The measures in the order they are played: `|: :|` repeats (as many times as `times`
/// says, else twice, or as many times as their volta brackets need), a `:|` with no `|:` back
/// to the start or to the end of the last repeat, repeats nested inside others, brackets taken
/// on their passes (a bracket that ends without a `:|` ends its section). More than `MAX_BARS`
/// bars is refused here, before a `times="1000000"` could run on.
pub(super) fn playing_order(measures: &[Measure]) -> Result<Vec<usize>, String> {
    let mut order = Vec::new();
    let mut section = Section { start: 0, pass: 1 };
    // Sections a `|:` opened inside, to go on with once it is done.
    let mut enclosing: Vec<Section> = Vec::new();
    let mut index = 0;
    let mut bars = 0;
    // Came back to a section's start by a `:|`: its bracket and `|:` were read on the way in.
    let mut jumped_back = false;
    while index < measures.len() {
        let measure = &measures[index];
        if !jumped_back {
            if let Some((bracket, passes)) = &measure.ending {
                if !passes.contains(&section.pass) {
                    // The whole bracket is for another time through.
                    while measures.get(index).is_some_and(|m| m.ending.as_ref().is_some_and(|(b, _)| b == bracket)) {
                        index += 1;
                    }
                    continue;
                }
            }
            if measure.repeat_start {
                // A |: where the section starts anyway, or on the last bracket of the one
                // before, takes the place of the section; anywhere else it opens one inside it.
                let last_bracket = measure.ending.is_some() && measure.ending_closes;
                if section.start != index && !last_bracket {
                    enclosing.push(section);
                }
                section = Section { start: index, pass: 1 };
            }
        }
        jumped_back = false;
        order.push(index);
        bars += usize::from(!measure.pickup);
        // A pickup bar repeated on its own is no bar, but it must not go round for ever either.
        if bars > MAX_BARS || order.len() > 4 * MAX_BARS {
            return Err(format!(
                "the tune plays more than {MAX_BARS} bars with its repeats; a chart holds at most {MAX_BARS}"
            ));
        }
        let section_ends = if measure.repeat_end {
            let brackets = bracket_group(measures, index);
            let again = match measure.repeat_times {
                Some(times) => section.pass < times,
                // A :| in this section's brackets: again while a bracket waits for the next pass.
                None if !brackets.is_empty() && brackets.start >= section.start => measures[brackets]
                    .iter()
                    .any(|m| m.ending.as_ref().is_some_and(|(_, passes)| passes.contains(&(section.pass + 1)))),
                None => section.pass < 2,
            };
            if again {
                section.pass += 1;
                index = section.start;
                jumped_back = true;
                continue;
            }
            true
        } else {
            measure.ending_closes && !measure.repeat_start
        };
        if section_ends {
            section = enclosing.pop().unwrap_or(Section { start: index + 1, pass: 1 });
        }
        index += 1;
    }
    Ok(order)
}

/// The measures under volta brackets one after another that `index` lies in (empty when it
/// lies under none): the brackets of one repeat.
fn bracket_group(measures: &[Measure], index: usize) -> Range<usize> {
    let under = |i: &usize| measures[*i].ending.is_some();
    if !under(&index) {
        return index..index;
    }
    let start = (0..index).rev().take_while(under).last().unwrap_or(index);
    let end = (index..measures.len()).take_while(under).last().unwrap_or(index) + 1;
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Measure {
        fn opens(self) -> Self {
            Self { repeat_start: true, ..self }
        }

        fn closes(self) -> Self {
            Self { repeat_end: true, ..self }
        }

        fn times(self, times: u32) -> Self {
            Self { repeat_end: true, repeat_times: Some(times), ..self }
        }

        /// Under volta bracket `id`, played on `passes`; `last` if the bracket ends with it.
        fn under(self, id: usize, passes: &[u32], last: bool) -> Self {
            Self { ending: Some((id, passes.to_vec())), ending_closes: last, ..self }
        }
    }

    fn bar() -> Measure {
        Measure::default()
    }

    /// The measure numbers (1-based) in the order they are played.
    fn played(measures: &[Measure]) -> Vec<usize> {
        playing_order(measures).unwrap().iter().map(|i| i + 1).collect()
    }

    #[test]
    fn a_repeat_is_played_twice_or_as_many_times_as_written() {
        assert_eq!(played(&[bar(), bar().opens(), bar().closes(), bar()]), [1, 2, 3, 2, 3, 4]);
        assert_eq!(played(&[bar().times(3), bar()]), [1, 1, 1, 2]);
        assert_eq!(played(&[bar().opens().times(1), bar()]), [1, 2], "times=\"1\" is played once");
    }

    #[test]
    fn a_repeat_with_no_start_goes_back_to_the_beginning_or_the_last_repeat() {
        assert_eq!(played(&[bar(), bar().closes(), bar(), bar().closes()]), [1, 2, 1, 2, 3, 4, 3, 4]);
    }

    #[test]
    fn first_and_second_endings() {
        let tune = [bar().opens(), bar().under(1, &[1], true).closes(), bar().under(2, &[2], true), bar()];
        assert_eq!(played(&tune), [1, 2, 1, 3, 4]);
        // A bracket of two measures is skipped whole.
        let tune =
            [bar(), bar().under(1, &[1], false), bar().under(1, &[1], true).closes(), bar().under(2, &[2], true)];
        assert_eq!(played(&tune), [1, 2, 3, 1, 4]);
    }

    #[test]
    fn brackets_say_how_many_times_a_section_is_played() {
        // MusicXML test suite 45d: endings 1, 2, "3, 5, 7", "4, 6" and 8, no times written.
        let tune = [
            bar(),
            bar().under(1, &[1], true).closes(),
            bar().under(2, &[2], false),
            bar().under(2, &[2], true).closes(),
            bar().under(3, &[3, 5, 7], true).closes(),
            bar().under(4, &[4, 6], true).closes(),
            bar().under(5, &[8], true),
            bar(),
        ];
        let expected = [1, 2, 1, 3, 4, 1, 5, 1, 6, 1, 5, 1, 6, 1, 5, 1, 7, 8];
        assert_eq!(played(&tune), expected);
    }

    #[test]
    fn repeats_inside_repeats() {
        // 45c: the inner |: 2 3 :| five times inside a section from the start, played once.
        let tune = [bar(), bar().opens(), bar().times(5), bar().times(1), bar()];
        assert_eq!(played(&tune), [1, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 4, 5]);
        // 45i: a repeat inside the first ending, and one at the start of the second.
        let tune = [
            bar(),
            bar().under(1, &[1], false),
            bar().under(1, &[1], false).opens().closes(),
            bar().under(1, &[1], true).closes(),
            bar().under(2, &[2], false).opens().closes(),
            bar().under(2, &[2], true),
            bar(),
        ];
        assert_eq!(played(&tune), [1, 2, 3, 3, 4, 1, 5, 5, 6, 7]);
    }

    #[test]
    fn a_last_ending_can_open_the_next_repeat() {
        // 45e: |: 1 [1. 2 :| [2. |: 3 | 4 :| 5
        let tune = [
            bar().opens(),
            bar().under(1, &[1], true).closes(),
            bar().under(2, &[2], true).opens(),
            bar().closes(),
            bar(),
        ];
        assert_eq!(played(&tune), [1, 2, 1, 3, 4, 3, 4, 5]);
    }

    #[test]
    fn a_repeat_that_would_run_on_is_refused() {
        let err = playing_order(&[bar().times(1_000_000)]).unwrap_err();
        assert!(err.contains("more than 64 bars"), "{err}");
        // A pickup bar is no bar of the chart, but it may not go round for ever either.
        let pickup = Measure { pickup: true, ..bar() }.times(1_000_000);
        assert!(playing_order(&[pickup, bar()]).is_err());
        assert_eq!(playing_order(&vec![bar(); MAX_BARS]).map(|order| order.len()), Ok(MAX_BARS));
    }
}
