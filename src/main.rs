//! The `roster` binary: the console with no arguments, the scriptable CLI otherwise.

fn main() -> std::process::ExitCode {
    roster::cli::main()
}
