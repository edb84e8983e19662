fn main() -> std::process::ExitCode {
    peerings::cli::run()
}
