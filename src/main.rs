//! Parse → run → exit code. Everything else lives in the library.

fn main() {
    let code = msstore_submit::run::main(std::env::args_os().collect(), std::env::vars_os());
    std::process::exit(code.code());
}
