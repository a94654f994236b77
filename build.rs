// `sqlx::migrate!` embeds the migrations at compile time; without this a
// changed migration file would not rebuild the crate (sqlx's documented
// build script, as `sqlx migrate build-script` writes it).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
