fn main() -> std::process::ExitCode {
    nhanai::cli::main()
}
