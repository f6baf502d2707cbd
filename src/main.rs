//! The `msmail` command: a thin shell over the library.

fn main() {
    std::process::exit(msmail::cli::main());
}
