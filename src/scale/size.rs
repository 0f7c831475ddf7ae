//! Sizes as people write them: `10k`, `100k`, `1M`, `2500`.

/// Parses one size; the error says what is accepted.
pub fn parse(text: &str) -> Result<usize, String> {
    let t = text.trim().replace('_', "");
    let (digits, mult) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 1_000),
        Some('m' | 'M') => (&t[..t.len() - 1], 1_000_000),
        _ => (t.as_str(), 1),
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|n| *n > 0)
        .ok_or_else(|| {
            format!("'{text}' is not a size: write a positive number like 2500, 10k or 1M")
        })
}

/// Parses a comma-separated list of sizes.
pub fn parse_list(text: &str) -> Result<Vec<usize>, String> {
    text.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(parse)
        .collect()
}

/// `10k`, `1M`, `2500`: the short way back.
pub fn show(n: usize) -> String {
    if n >= 1_000_000 && n.is_multiple_of(1_000_000) {
        format!("{}M", n / 1_000_000)
    } else if n >= 1_000 && n.is_multiple_of(1_000) {
        format!("{}k", n / 1_000)
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_written() {
        assert_eq!(parse("10k"), Ok(10_000));
        assert_eq!(parse("1M"), Ok(1_000_000));
        assert_eq!(parse("2500"), Ok(2500));
        assert!(parse("ten").is_err());
        assert!(parse("0").is_err());
        assert_eq!(parse_list("10k,100k,1M").unwrap().len(), 3);
        assert_eq!(show(100_000), "100k");
    }
}
