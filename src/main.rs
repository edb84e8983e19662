fn main() -> std::process::ExitCode {
    peerings::run()
}
