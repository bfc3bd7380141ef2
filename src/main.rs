fn main() {
    std::process::exit(imprint::cli::main());
}
